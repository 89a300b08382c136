export { MemoryJobQueue } from "./memory-queue.js";
export type { DeadJob, JobOptions, JobProcessor, JobQueue } from "./types.js";
