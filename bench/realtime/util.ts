/** Small helpers shared by the realtime benchmark's parts. */
import type { RealtimeOptions } from "../../packages/sdk/src/index.js";

/** A bench client's real-time settings: WebSocket only, no notification catch-up, patient timeouts. */
export const benchRealtime: RealtimeOptions = {
  transports: ["websocket"],
  followNotifications: false,
  ackTimeoutMs: 30_000,
  connectTimeoutMs: 30_000,
};

export const root = new URL("../..", import.meta.url).pathname;

const T0 = performance.now();

/** Progress on stderr with BENCH_VERBOSE=1 (the JSON line alone goes to stdout). */
export function progress(step: string): void {
  if (process.env.BENCH_VERBOSE) {
    process.stderr.write(`[${((performance.now() - T0) / 1000).toFixed(1)} s] ${step}\n`);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms; false if it is still not true after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await fn(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
