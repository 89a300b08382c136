import { type Cache, encodeCacheValue } from "./types.js";

interface Entry {
  json: string;
  expiresAt: number;
}

/**
 * In-process cache for embedded mode. Values are stored as JSON text, so a caller never shares (or
 * mutates) the object another caller got, just as with Redis. Bounded: past `maxEntries` the entry
 * written longest ago is dropped.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as T;
  }

  async set<T>(key: string, value: T, ttlMs: number): Promise<void> {
    // Delete first so the key moves to the end of the Map's insertion order (the eviction order).
    this.entries.delete(key);
    this.entries.set(key, { json: encodeCacheValue(value), expiresAt: Date.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async getOrSet<T>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
    const hit = await this.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await load();
    await this.set(key, value, ttlMs);
    return value;
  }
}
