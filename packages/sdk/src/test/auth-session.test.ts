import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  engines,
  eventually,
  startTestServer,
  type TestServer,
} from "../../../../apps/server/test/harness.js";
import { createClient } from "../client.js";
import { SoftchatError } from "../errors.js";
import type { AuthState } from "../session.js";
import { memoryTokenStore } from "../token-store.js";
import { closeServer, FAST_REALTIME, stateOf } from "./clients.js";
import { FaultyProxy } from "./tcp-proxy.js";

let seq = 0;
const newAccount = () => {
  seq++;
  const tag = `${Date.now().toString(36)}${seq}`;
  return { email: `sdk_${tag}@example.test`, username: `sdk_${tag}`, password: "correct horse battery" };
};

/** The real fetch, counting the calls per path: the test observes what the SDK sends, nothing is faked. */
function countingFetch() {
  const calls: string[] = [];
  const fetchFn = (input: string, init: RequestInit) => {
    calls.push(`${init.method ?? "GET"} ${new URL(input).pathname}`);
    return fetch(input, init);
  };
  return { calls, fetchFn };
}

describe.each(engines)("SDK sessions on %s", (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(engine, { ACCESS_TOKEN_TTL_SEC: "10" });
  });
  afterAll(async () => {
    if (server) await closeServer(server);
  });

  it("after the access token expires, parallel requests refresh it once, the refresh token rotates, and the socket reconnects with the new one", async () => {
    const proxy = await FaultyProxy.start(server.port);
    const socketSide = countingFetch();
    const live = createClient({ baseUrl: proxy.url, fetch: socketSide.fetchFn, realtime: FAST_REALTIME });
    await live.auth.register(newAccount());
    live.realtime.connect();
    await stateOf(live, "connected");

    const { calls, fetchFn } = countingFetch();
    const store = memoryTokenStore();
    const changes: AuthState[] = [];
    const client = createClient({
      baseUrl: server.url,
      fetch: fetchFn,
      storage: store,
      onAuthChange: (s) => changes.push(s),
    });
    const account = newAccount();
    const user = await client.auth.register(account);
    expect(user.username).toBe(account.username);
    expect(changes.map((c) => c.reason)).toEqual(["signed_in"]);
    const firstAccess = client.auth.accessToken;
    const firstRefresh = await store.getRefreshToken();
    expect(firstAccess).toBeTruthy();
    expect(firstRefresh).toBeTruthy();

    // Wait, by asking the server, until the 10 s access token has expired.
    await eventually(
      async () =>
        expect((await server.request("GET", "/api/auth/me", { token: firstAccess ?? "" })).status).toBe(401),
      15_000,
      250,
    );

    const results = await Promise.all(Array.from({ length: 6 }, () => client.auth.me()));
    expect(results.every((u) => u.id === user.id)).toBe(true);
    expect(calls.filter((c) => c === "POST /api/auth/refresh")).toHaveLength(1);
    expect(client.auth.accessToken).not.toBe(firstAccess);
    const rotated = await store.getRefreshToken();
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(firstRefresh);
    expect(changes.map((c) => c.reason)).toContain("refreshed");
    expect(changes.at(-1)?.signedIn).toBe(true);

    // The socket drops; its token has expired meanwhile, so the server refuses the first attempt and the SDK
    // refreshes once and gets in.
    expect(socketSide.calls.filter((c) => c === "POST /api/auth/refresh")).toHaveLength(0);
    proxy.set("down");
    await stateOf(live, "reconnecting");
    proxy.set("up");
    await stateOf(live, "connected");
    expect(socketSide.calls.filter((c) => c === "POST /api/auth/refresh")).toHaveLength(1);
    const room = await live.chat.createRoom({ name: "after refresh", type: "public" });
    await live.realtime.joinRoom(room.id);
    expect((await live.realtime.sendMessage(room.id, "still here")).text).toBe("still here");
    live.realtime.reset();
    await proxy.close();
  }, 30_000);

  it("restores a session from the stored refresh token, and signs out when that token is refused", async () => {
    const firstStore = memoryTokenStore();
    const first = createClient({ baseUrl: server.url, storage: firstStore });
    const user = await first.auth.register(newAccount());
    const saved = await firstStore.getRefreshToken();

    // A reload: a new client with nothing in memory, only the saved refresh token.
    const store = memoryTokenStore(saved);
    const reloaded = createClient({ baseUrl: server.url, storage: store });
    expect(reloaded.auth.user).toBeNull();
    const restored = await reloaded.auth.restore();
    expect(restored?.id).toBe(user.id);
    expect(reloaded.auth.user?.id).toBe(user.id);
    expect(await store.getRefreshToken()).not.toBe(saved);

    // `first` still holds the token `reloaded` rotated away: presenting it again is a reuse, the server revokes
    // the whole family, and both clients end up signed out.
    const states: AuthState[] = [];
    reloaded.onAuthChange((s) => states.push(s));
    await expect(first.auth.refresh()).rejects.toMatchObject({ status: 401 });
    expect(first.auth.accessToken).toBeNull();
    await expect(reloaded.auth.refresh()).rejects.toMatchObject({ status: 401 });
    expect(states.at(-1)).toMatchObject({ signedIn: false, reason: "signed_out", user: null });
    expect(await store.getRefreshToken()).toBeNull();
    expect(await createClient({ baseUrl: server.url, storage: store }).auth.restore()).toBeNull();
  });

  it("logs out: the refresh token is revoked on the server and forgotten here", async () => {
    const store = memoryTokenStore();
    const client = createClient({ baseUrl: server.url, storage: store });
    await client.auth.register(newAccount());
    const refreshToken = await store.getRefreshToken();
    await client.auth.logout();
    expect(client.auth.user).toBeNull();
    expect(await store.getRefreshToken()).toBeNull();
    const replay = await server.request("POST", "/api/auth/refresh", { body: { refreshToken } });
    expect(replay.status).toBe(401);
    await expect(client.auth.me()).rejects.toMatchObject({ status: 401, code: "unauthenticated" });
  });

  it("reports server errors as SoftchatError with status, stable code, message and details", async () => {
    const client = createClient({ baseUrl: server.url });
    const invalid = await client.auth
      .register({ email: "not-an-email", username: "x", password: "short" })
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(SoftchatError);
    expect(invalid).toMatchObject({ status: 400, code: "validation_failed" });
    const fields = (invalid as SoftchatError).details?.fields as Array<{ path: string }>;
    expect(fields.map((f) => f.path)).toEqual(expect.arrayContaining(["body.email", "body.password"]));

    const account = newAccount();
    await client.auth.register(account);
    const wrong = await createClient({ baseUrl: server.url })
      .auth.login({ email: account.email, password: "wrong password!" })
      .catch((e) => e);
    expect(wrong).toMatchObject({ name: "SoftchatError", status: 401, code: "unauthenticated" });

    const unreachable = createClient({ baseUrl: "http://127.0.0.1:9" });
    await expect(unreachable.auth.login(account)).rejects.toMatchObject({ status: 0, code: "network_error" });
  });
});
