import { afterEach, describe, expect, it } from "vitest";
import { startCustomApp } from "../../../test/custom-app.js";
import { registerUser } from "../../../test/factories.js";
import { engines, startTestServer, type TestResponse, type TestServer } from "../../../test/harness.js";
import { authModule } from "../../modules/auth/index.js";
import type { SoftchatModule } from "../../modules/index.js";
import { authenticate } from "../auth/guard.js";
import { rateLimitPreHandler } from "./index.js";

function expectRefused(res: TestResponse, windowSec: number): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe("rate_limited");
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSec);
  expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
}

describe.each(engines)("rate limits on %s", (engine) => {
  const open: Array<{ close(): Promise<void> }> = [];
  const start = async (overrides: Record<string, string>): Promise<TestServer> => {
    const server = await startTestServer(engine, overrides);
    open.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const from = (ip: string) => ({ "x-forwarded-for": ip });
  const login = (server: TestServer, email: string, password: string, ip?: string) =>
    server.request("POST", "/api/auth/login", { body: { email, password }, headers: ip ? from(ip) : {} });

  it("the 6th sign-in attempt from one IP within the window gets 429 with Retry-After", async () => {
    const server = await start({ RATE_LIMIT_AUTH: "5/15m" });
    for (let i = 1; i <= 5; i++) {
      const res = await login(server, `nobody${i}@example.test`, "wrong-password");
      expect(res.status).toBe(401);
      expect(res.headers.get("x-ratelimit-limit")).toBe("5");
      expect(res.headers.get("x-ratelimit-remaining")).toBe(String(5 - i));
      const reset = Number(res.headers.get("x-ratelimit-reset"));
      expect(reset).toBeGreaterThan(Date.now() / 1000);
      expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 15 * 60 + 1);
    }
    expectRefused(await login(server, "nobody6@example.test", "wrong-password"), 15 * 60);
    // Registration and refresh draw on the same allowance.
    const register = await server.request("POST", "/api/auth/register", {
      body: { email: "new@example.test", username: "newcomer", password: "long-enough" },
    });
    expectRefused(register, 15 * 60);
    const refresh = await server.request("POST", "/api/auth/refresh", { body: { refreshToken: "x" } });
    expectRefused(refresh, 15 * 60);
  });

  it("refreshing with a valid token spends nothing, so reloads never lock a user out; refused refreshes count", async () => {
    const server = await start({ RATE_LIMIT_AUTH: "5/15m" });
    let { refreshToken } = await registerUser(server);
    for (let i = 1; i <= 8; i++) {
      const res = await server.request("POST", "/api/auth/refresh", { body: { refreshToken } });
      expect(res.status).toBe(200);
      refreshToken = res.body.refreshToken;
    }
    // Registration spent one point; four refused refreshes spend the rest.
    for (let i = 1; i <= 4; i++) {
      const res = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: `forged-${i}` },
      });
      expect(res.status).toBe(401);
    }
    expectRefused(await server.request("POST", "/api/auth/refresh", { body: { refreshToken } }), 15 * 60);
  });

  it("failed sign-ins to one account are limited whichever IPs they come from", async () => {
    const server = await start({ RATE_LIMIT_AUTH: "5/15m", TRUST_PROXY: "true" });
    const victim = await registerUser(server);
    const bystander = await registerUser(server);
    for (let i = 1; i <= 5; i++) {
      expect((await login(server, victim.user.email, "guess", `10.0.0.${i}`)).status).toBe(401);
    }
    // Even the right password is refused until the window ends: the guesser cannot tell it was right.
    expectRefused(await login(server, victim.user.email, victim.password, "10.0.0.6"), 15 * 60);
    expectRefused(await login(server, victim.user.email.toUpperCase(), victim.password, "10.0.0.7"), 15 * 60);
    expect((await login(server, bystander.user.email, bystander.password, "10.0.0.8")).status).toBe(200);
  });

  it("a successful sign-in clears the account's failed attempts", async () => {
    const server = await start({ RATE_LIMIT_AUTH: "5/15m", TRUST_PROXY: "true" });
    const user = await registerUser(server);
    let ip = 1;
    for (const round of [1, 2]) {
      for (let i = 0; i < 4; i++) await login(server, user.user.email, "typo", `10.1.${round}.${ip++}`);
      expect((await login(server, user.user.email, user.password, `10.1.${round}.${ip++}`)).status).toBe(200);
    }
  });

  it("the API tier counts every authenticated request per user", async () => {
    const server = await start({ RATE_LIMIT_API: "3/1m" });
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    for (let i = 1; i <= 3; i++) {
      const res = await server.request("GET", "/api/auth/me", { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      expect(res.headers.get("x-ratelimit-remaining")).toBe(String(3 - i));
    }
    expectRefused(await server.request("GET", "/api/auth/me", { token: alice.accessToken }), 60);
    expect((await server.request("GET", "/api/auth/me", { token: bob.accessToken })).status).toBe(200);
  });

  it("the IP tier counts every request per client IP, known route or not", async () => {
    const server = await start({ RATE_LIMIT_IP: "4/1m", TRUST_PROXY: "true" });
    const ok = await server.request("GET", "/health", { headers: from("192.0.2.1") });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-ratelimit-limit")).toBe("4");
    expect(ok.headers.get("x-ratelimit-remaining")).toBe("3");
    await server.request("GET", "/api/meta", { headers: from("192.0.2.1") });
    await server.request("GET", "/api/no-such-route", { headers: from("192.0.2.1") });
    expect((await server.request("GET", "/health", { headers: from("192.0.2.1") })).status).toBe(200);
    expectRefused(await server.request("GET", "/health", { headers: from("192.0.2.1") }), 60);
    expect((await server.request("GET", "/health", { headers: from("192.0.2.2") })).status).toBe(200);
  });

  it("a request the IP tier refuses spends nothing of the user's API allowance", async () => {
    const server = await start({ RATE_LIMIT_IP: "3/1m", RATE_LIMIT_API: "5/1m", TRUST_PROXY: "true" });
    const alice = await registerUser(server);
    const me = (ip: string) =>
      server.request("GET", "/api/auth/me", { token: alice.accessToken, headers: from(ip) });
    expect((await me("192.0.2.7")).status).toBe(200);
    expect((await me("192.0.2.7")).status).toBe(200);
    expect((await me("192.0.2.7")).status).toBe(200);
    // The IP is spent; these two are refused and cost Alice nothing.
    expectRefused(await me("192.0.2.7"), 60);
    expectRefused(await me("192.0.2.7"), 60);
    // From another address she has 2 of her 5 left.
    const next = await me("192.0.2.8");
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-limit")).toBe("5");
    expect(next.headers.get("x-ratelimit-remaining")).toBe("1");
  });

  it("the web app's own files do not spend the IP allowance, API calls do", async () => {
    const server = await start({ RATE_LIMIT_IP: "2/1m", TRUST_PROXY: "true" });
    for (const path of ["/", "/chat/123", "/assets/app.js", "/manifest.webmanifest", "/sw.js"]) {
      const res = await server.request("GET", path, { headers: from("192.0.2.7") });
      expect(res.status).not.toBe(429);
    }
    expect((await server.request("GET", "/api/meta", { headers: from("192.0.2.7") })).status).toBe(200);
    expect((await server.request("GET", "/api/meta", { headers: from("192.0.2.7") })).status).toBe(200);
    expectRefused(await server.request("GET", "/api/meta", { headers: from("192.0.2.7") }), 60);
  });

  it("without TRUST_PROXY a forged X-Forwarded-For does not buy a fresh allowance", async () => {
    const server = await start({ RATE_LIMIT_IP: "2/1m" });
    await server.request("GET", "/health", { headers: from("198.51.100.1") });
    await server.request("GET", "/health", { headers: from("198.51.100.2") });
    expectRefused(await server.request("GET", "/health", { headers: from("198.51.100.3") }), 60);
  });

  it("the payments tier limits a route per user through rateLimitPreHandler", async () => {
    const probe: SoftchatModule = {
      name: "payments-probe",
      register(app, ctx) {
        app.post(
          "/probe/deposits",
          { preHandler: [authenticate(ctx.tokens), rateLimitPreHandler(ctx, "payments")] },
          async (_request, reply) => reply.status(201).send({ ok: true }),
        );
      },
    };
    const node = await startCustomApp(engine, [authModule, probe], { RATE_LIMIT_PAYMENTS: "2/1h" });
    open.push(node);
    const alice = await registerUser(node);
    const bob = await registerUser(node);
    const deposit = (token: string) => node.request("POST", "/probe/deposits", { token, body: {} });
    expect((await deposit(alice.accessToken)).status).toBe(201);
    const second = await deposit(alice.accessToken);
    expect(second.status).toBe(201);
    expect(second.headers.get("x-ratelimit-limit")).toBe("2");
    expect(second.headers.get("x-ratelimit-remaining")).toBe("0");
    expectRefused(await deposit(alice.accessToken), 3600);
    expect((await deposit(bob.accessToken)).status).toBe(201);
  });
});
