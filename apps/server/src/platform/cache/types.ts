/**
 * A small key-value cache for values that are cheap to lose: memory in embedded mode, Redis when scaled
 * (shared by every node). Values are JSON: a bigint must be stored as a string. Every entry has a TTL.
 */
export interface Cache {
  /** The value stored under `key`, or undefined when it is missing or expired. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** The cached value, or the loader's result, which is stored for `ttlMs` before it is returned. */
  getOrSet<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T>;
}

/** JSON text for a cache value; a value JSON cannot carry (undefined, a function) is refused. */
export function encodeCacheValue(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError("cache values must be JSON-serializable");
  return json;
}
