import type { RunningServer } from "../../../../apps/server/src/server.js";
import { createUser, type TestUser } from "../../../../apps/server/test/factories.js";
import { eventually } from "../../../../apps/server/test/harness.js";
import { type ClientOptions, createClient, type SoftchatClient } from "../client.js";
import type { ConnectionState } from "../realtime/types.js";

export interface SignedInClient {
  client: SoftchatClient;
  user: TestUser;
}

/** Fast reconnects for tests: the schedule's shape is what matters, not its 1 s to 30 s scale. */
export const FAST_REALTIME: ClientOptions["realtime"] = {
  transports: ["websocket"],
  backoff: { baseMs: 50, maxMs: 400 },
  connectTimeoutMs: 3000,
  ackTimeoutMs: 3000,
  pollIntervalMs: 300,
};

/** A user created in the server's database and an SDK client signed in as them (not yet connected). */
export async function signedInClient(
  server: Pick<RunningServer, "url" | "platform">,
  options: Partial<ClientOptions> & { baseUrl?: string; user?: TestUser } = {},
): Promise<SignedInClient> {
  const user = options.user ?? (await createUser(server.platform));
  const client = createClient({
    baseUrl: options.baseUrl ?? server.url,
    ...options,
    realtime: { ...FAST_REALTIME, ...options.realtime },
  });
  await client.auth.signInWithTokens({ accessToken: user.token });
  return { client, user };
}

/** Waits until the realtime client reports `state`. */
export function stateOf(client: SoftchatClient, state: ConnectionState, timeoutMs = 8000): Promise<void> {
  return eventually(() => {
    if (client.realtime.state !== state) throw new Error(`state is ${client.realtime.state}, want ${state}`);
  }, timeoutMs);
}

/** Records every state the client goes through. */
export function recordStates(client: SoftchatClient): ConnectionState[] {
  const states: ConnectionState[] = [client.realtime.state];
  client.realtime.onStateChange((s) => states.push(s));
  return states;
}

/**
 * Closes a test server. A keep-alive connection whose request was still running when the close began is not
 * closed when that request ends (only connections idle at that moment are), so it would hold the close for
 * the 72 s keep-alive timeout; closing idle connections until the close completes avoids that.
 */
export async function closeServer(server: {
  close(): Promise<void>;
  app: RunningServer["app"];
}): Promise<void> {
  const sweep = setInterval(() => server.app.server.closeIdleConnections(), 200);
  try {
    await server.close();
  } finally {
    clearInterval(sweep);
  }
}
