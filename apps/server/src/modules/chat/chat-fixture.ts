import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
import { type Engine, startTestServer, type TestServer } from "../../../test/harness.js";
import { connectSocket, type TestSocket } from "../../../test/realtime/socket-client.js";

/** What a chat test works with: one server per file, sockets closed after each test. */
export interface ChatFixture {
  server: TestServer;
  user(): Promise<TestUser>;
  open(user: TestUser): Promise<TestSocket>;
  createRoom(owner: TestUser, body: Record<string, unknown>): Promise<{ id: string; name: string }>;
  send(user: TestUser, roomId: string, text: string, clientId?: string): ReturnType<TestServer["request"]>;
}

/** Registers the hooks of a chat test file (call inside its describe) and returns its helpers. */
export function useChatFixture(engine: Engine, env: Record<string, string> = {}): ChatFixture {
  const sockets: TestSocket[] = [];
  const fixture = {} as ChatFixture;
  beforeAll(async () => {
    fixture.server = await startTestServer(engine, env);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await fixture.server.close();
  });
  fixture.user = () => createUser(fixture.server.platform);
  fixture.open = async (user) => {
    const s = await connectSocket(fixture.server.url, user.token);
    sockets.push(s);
    return s;
  };
  fixture.createRoom = async (owner, body) => {
    const res = await fixture.server.request("POST", "/api/chat/rooms", { token: owner.token, body });
    expect(res.status).toBe(201);
    return res.body.room;
  };
  fixture.send = (user, roomId, text, clientId) =>
    fixture.server.request("POST", `/api/chat/rooms/${roomId}/messages`, {
      token: user.token,
      body: { text, clientId },
    });
  return fixture;
}
