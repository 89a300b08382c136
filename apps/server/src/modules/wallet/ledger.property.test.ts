import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
import {
  engines,
  eventually,
  startTestServer,
  type TestResponse,
  type TestServer,
} from "../../../test/harness.js";
import { ledgerInvariants } from "../../../test/wallet/helpers.js";
import { sealAuditLog, verifyAuditChain } from "../../platform/audit/index.js";
import { creditForDemo } from "./deposits.js";
import { hold } from "./ledger/index.js";
import { walletOf } from "./runtime.js";

/** One random step; user and hold choices are indexes, resolved against what exists when it runs. */
type Command =
  | { t: "transfer"; from: number; to: number; asset: "USD" | "BTC"; cents: number }
  | { t: "deposit"; user: number; asset: "USD" | "BTC"; cents: number }
  | { t: "withdraw"; user: number; cents: number; fail: boolean }
  | { t: "hold"; user: number; cents: number; expiring: boolean }
  | { t: "post"; pick: number; part: number }
  | { t: "void"; pick: number }
  | { t: "replay"; pick: number };

const USERS = 8;
const user = fc.nat({ max: USERS - 1 });
const cents = fc.integer({ min: 1, max: 4_000 });
const asset = fc.constantFrom("USD" as const, "BTC" as const);
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ t: fc.constant("transfer" as const), from: user, to: user, asset, cents }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("deposit" as const), user, asset, cents }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("withdraw" as const), user, cents, fail: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("hold" as const), user, cents, expiring: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("post" as const),
      pick: fc.nat(),
      part: fc.integer({ min: 1, max: 100 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("void" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("replay" as const), pick: fc.nat() }) },
);

interface Sent {
  method: string;
  path: string;
  token: string;
  body: unknown;
  key: string;
  first: TestResponse;
}

const OPS = { pglite: 2_000, postgres: 4_000 } as const;
const CONCURRENCY = 24;

describe.each(engines)("ledger under random concurrent operations on %s", (engine) => {
  let server: TestServer;
  let users: TestUser[];
  beforeAll(async () => {
    server = await startTestServer(engine, { SANDBOX_CONFIRM_MS: "5", WALLET_HOLD_SWEEP_MS: "100" });
    users = await Promise.all(
      Array.from({ length: USERS }, () => createUser(server.platform, { kycLevel: 3 })),
    );
    for (const u of users) {
      await creditForDemo(server.platform, u.id, "USD", 50_000n);
      await creditForDemo(server.platform, u.id, "BTC", 50_000n);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it("keeps every asset summing to zero, no user below zero, and replays changing nothing", async () => {
    const sent: Sent[] = [];
    const holds: string[] = [];
    let replays = 0;
    const amount = (a: "USD" | "BTC", c: number) =>
      a === "USD" ? (c / 100).toFixed(2) : (c / 1e8).toFixed(8);
    const post = async (method: string, path: string, u: TestUser, body: unknown) => {
      const key = randomUUID();
      const first = await server.request(method, path, {
        token: u.token,
        body,
        headers: { "idempotency-key": key },
      });
      expect(first.status, JSON.stringify(first.body)).toBeLessThan(500);
      sent.push({ method, path, token: u.token, body, key, first });
    };
    const pickUser = (i: number) => users[i % USERS] as TestUser;
    const run = async (c: Command): Promise<void> => {
      const { db } = server.platform;
      switch (c.t) {
        case "transfer": {
          const from = pickUser(c.from);
          const to = pickUser(c.from === c.to ? c.to + 1 : c.to);
          return post("POST", `/api/wallet/${from.id}/transfer`, from, {
            to: to.username,
            asset: c.asset,
            amount: amount(c.asset, c.cents),
          });
        }
        case "deposit": {
          const u = pickUser(c.user);
          return post("POST", `/api/wallet/${u.id}/deposits`, u, {
            asset: c.asset,
            amount: amount(c.asset, c.cents),
            provider: "sandbox",
          });
        }
        case "withdraw": {
          const u = pickUser(c.user);
          return post("POST", `/api/wallet/${u.id}/withdrawals`, u, {
            asset: "USD",
            amount: amount("USD", c.cents),
            destination: c.fail ? "fail-acct" : "bank-acct",
          });
        }
        case "hold": {
          const u = pickUser(c.user);
          try {
            const id = await db.transaction((tx) =>
              hold(server.platform, tx, {
                from: { userId: u.id },
                to: { system: "escrow" },
                asset: "USD",
                amount: BigInt(c.cents),
                kind: "escrow",
                ...(c.expiring ? { expiresAt: new Date(Date.now() + 150) } : {}),
              }),
            );
            holds.push(id);
          } catch (err) {
            expect((err as { code?: string }).code).toBe("insufficient_funds");
          }
          return;
        }
        case "post":
        case "void": {
          const holdId = holds[c.pick % Math.max(1, holds.length)];
          if (!holdId) return;
          const op =
            c.t === "void"
              ? { type: "void" as const, operationId: randomUUID(), holdId }
              : { type: "post" as const, operationId: randomUUID(), holdId };
          await walletOf(server.platform)
            .batcher.submit({ op })
            .catch((err: { code?: string }) => expect(err.code).toBe("conflict"));
          return;
        }
        case "replay": {
          const s = sent[c.pick % Math.max(1, sent.length)];
          if (!s) return;
          replays++;
          const again = await server.request(s.method, s.path, {
            token: s.token,
            body: s.body,
            headers: { "idempotency-key": s.key },
          });
          expect(again.status).toBe(s.first.status);
          expect(again.body).toEqual(s.first.body);
        }
      }
    };

    const total = OPS[engine];
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: total / 2, maxLength: total / 2 }),
        async (commands) => {
          for (let i = 0; i < commands.length; i += CONCURRENCY) {
            await Promise.all(commands.slice(i, i + CONCURRENCY).map(run));
          }
        },
      ),
      { numRuns: 2, endOnFailure: true },
    );

    // Let pending withdrawals confirm and expiring holds lapse, then check the whole ledger.
    await eventually(async () => {
      const { rows } = await server.platform.db.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM withdrawals WHERE status = 'pending'",
      );
      expect(rows[0]?.n).toBe("0");
    }, 20_000);
    expect(await ledgerInvariants(server)).toEqual({ imbalanced: [], negativeUsers: 0, mismatchedTotals: 0 });

    // Replays changed nothing: each request that succeeded moved money exactly once.
    const moved = await server.platform.db.query<{ n: string }>(
      "SELECT count(DISTINCT operation_id)::text AS n FROM ledger_transfers WHERE kind = 'transfer'",
    );
    const succeeded = sent.filter((s) => s.path.endsWith("/transfer") && s.first.status === 201).length;
    expect(Number(moved.rows[0]?.n)).toBe(succeeded);
    const withdrawals = await server.platform.db.query<{ n: string }>(
      "SELECT count(*)::text AS n FROM withdrawals",
    );
    expect(Number(withdrawals.rows[0]?.n)).toBe(
      sent.filter((s) => s.path.endsWith("/withdrawals") && s.first.status === 201).length,
    );
    expect(replays).toBeGreaterThan(total / 20);
    expect(sent.filter((s) => s.first.status === 201).length).toBeGreaterThan(total / 5);

    await sealAuditLog(server.platform.db);
    expect(await verifyAuditChain(server.platform.db)).toMatchObject({ ok: true });
  }, 600_000);
});
