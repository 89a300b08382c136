import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import {
  engines,
  eventually,
  startTestServer,
  type TestServer,
  testConfig,
  testRedisPrefix,
} from "../../../test/harness.js";
import { createLimiter } from "./index.js";

describe.each(engines)("createLimiter on %s", (engine) => {
  const clients: Redis[] = [];
  const open: TestServer[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** The store this engine's nodes use: memory on PGlite, the CI Redis on PostgreSQL. */
  function store(): { config: ReturnType<typeof testConfig>; redis: Redis | undefined } {
    const config = testConfig(engine);
    const redis = config.REDIS_URL ? new Redis(config.REDIS_URL) : undefined;
    if (redis) clients.push(redis);
    return { config, redis };
  }

  it("allows the tier's points per window, then refuses with the time left", async () => {
    const limiter = createLimiter(store(), "socket", { points: 3, durationSec: 60 });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume("socket-1"));
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    const refused = results[3];
    expect(refused?.retryAfterMs).toBeGreaterThan(0);
    expect(refused?.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect((await limiter.consume("socket-2")).allowed).toBe(true);
  });

  it("peek reads a key without spending it, and reset gives the allowance back", async () => {
    const limiter = createLimiter(store(), "peek", { points: 2, durationSec: 60 });
    expect(await limiter.peek("k")).toMatchObject({ allowed: true, remaining: 2 });
    await limiter.consume("k");
    await limiter.consume("k");
    expect(await limiter.peek("k")).toMatchObject({ allowed: false, remaining: 0 });
    await limiter.reset("k");
    expect(await limiter.consume("k")).toMatchObject({ allowed: true, remaining: 1 });
  });

  it("a new window starts once the old one has passed", async () => {
    const limiter = createLimiter(store(), "window", { points: 1, durationSec: 1 });
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
    await eventually(async () => expect((await limiter.consume("k")).allowed).toBe(true), 3000, 100);
  });

  it("keeps counting in memory when Redis cannot be reached", async () => {
    const config = testConfig(engine);
    const down = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0 });
    down.on("error", () => {});
    clients.push(down);
    const limiter = createLimiter({ config, redis: down }, "fallback", { points: 1, durationSec: 60 });
    expect((await limiter.consume("k")).allowed).toBe(true);
    expect((await limiter.consume("k")).allowed).toBe(false);
  });

  it.runIf(engine === "postgres")("two nodes sharing a REDIS_PREFIX share the auth limit", async () => {
    const shared = { RATE_LIMIT_AUTH: "5/15m", REDIS_PREFIX: testRedisPrefix() };
    const nodeA = await startTestServer(engine, shared);
    open.push(nodeA);
    const nodeB = await startTestServer(engine, shared);
    open.push(nodeB);
    const attempt = (node: TestServer, i: number) =>
      node.request("POST", "/api/auth/login", { body: { email: `x${i}@example.test`, password: "wrong" } });
    for (const i of [1, 2, 3]) expect((await attempt(nodeA, i)).status).toBe(401);
    for (const i of [4, 5]) expect((await attempt(nodeB, i)).status).toBe(401);
    const sixth = await attempt(nodeB, 6);
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await attempt(nodeA, 7)).status).toBe(429);
  });
});
