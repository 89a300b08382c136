export { BullJobQueue, type BullJobQueueOptions } from "./bull-queue.js";
export { MemoryJobQueue } from "./memory-queue.js";
export type { DeadJob, JobOptions, JobProcessor, JobQueue } from "./types.js";
