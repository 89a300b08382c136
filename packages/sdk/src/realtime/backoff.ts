/** Reconnect delays: exponential growth from `baseMs`, capped at `maxMs`. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The SDK's default: 1 s doubling up to 30 s. */
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/** The ceiling for a retry: `min(maxMs, baseMs * 2^attempt)`, attempt 0 being the first retry. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, Math.floor(attempt));
  // 2^31 already exceeds any sane cap; clamping keeps the arithmetic finite for huge attempt counts.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(exponent, 31));
}

/**
 * How long to wait before retry number `attempt` (0-based): "full jitter", a uniform draw in
 * [0, ceiling). Spreading retries over the whole window keeps thousands of clients that lost the same node
 * from reconnecting in lockstep. `random` returns [0, 1) like Math.random.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * backoffCeiling(attempt, policy));
}
