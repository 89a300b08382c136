import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import { type Database, deferWrite, type Queryable, type Transaction } from "../db/index.js";
import { AppError } from "../http/errors.js";

/** A response as first sent: replayed as is for a retry with the same key. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** Who asks, with which key, for what: the request hash covers the scope and the whole request. */
export interface IdempotencyRequest {
  userId: string;
  key: string;
  /** What kind of request this is, e.g. `wallet.transfer`; the same key on another scope is a mismatch. */
  scope: string;
  /** Everything that makes two requests the same request (path parameters and body). */
  request: unknown;
}

/**
 * The right to execute a request under its key. Write the response with `complete` in the same transaction
 * as the change it reports: the write fails (and rolls the change back) when this attempt no longer owns
 * the key, so two attempts can never both take effect.
 */
export interface IdempotencyClaim {
  complete(q: Queryable | Transaction, response: StoredResponse): Promise<void>;
  /** Gives the key up, in the caller's transaction, so that a retry runs the request again. */
  release(q: Queryable | Transaction): Promise<void>;
  /** True once a `complete` or `release` is durable: its transaction committed (or it ran outside one). */
  readonly completed: boolean;
}

type Begin = { kind: "claimed"; owner: string } | { kind: "replay"; response: StoredResponse };

interface KeyRow extends Record<string, unknown> {
  request_hash: string;
  owner: string;
  status: "in_progress" | "completed";
  response_status: number | null;
  response_body: unknown;
  age_ms: string;
}

/** How long an in-progress key is waited for before its attempt is presumed dead and taken over (ms). */
const STALE_AFTER_MS = 60_000;
const POLL_MS = 20;

/**
 * The hash of a request: SHA-256 of its scope and canonical JSON (object keys sorted). Keys that look like
 * integers sort as strings since the audit chain's serializer became the only one; before, they came first
 * in numeric order here, so a request with such keys sent before that upgrade and retried after it gets
 * `idempotency_mismatch` (refused, never run twice) until its key expires.
 */
export function requestHash(scope: string, request: unknown): string {
  return createHash("sha256").update(scope).update("\n").update(canonicalJson(request)).digest("hex");
}

/**
 * Claims `key` for this request, or returns the stored first response. Same key with another request: 422
 * `idempotency_mismatch`. While another attempt holds the key this waits (up to `waitMs`) for its response;
 * an attempt silent for a minute is presumed dead and its key taken over.
 */
export async function beginIdempotent(
  db: Database,
  req: IdempotencyRequest,
  waitMs = 15_000,
): Promise<Begin> {
  const hash = requestHash(req.scope, req.request);
  const owner = randomUUID();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const inserted = await db.query(
      `INSERT INTO idempotency_keys (user_id, key, scope, request_hash, owner)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING`,
      [req.userId, req.key, req.scope, hash, owner],
    );
    if (inserted.rowCount === 1) return { kind: "claimed", owner };
    const { rows } = await db.query<KeyRow>(
      `SELECT request_hash, owner, status, response_status, response_body,
              (EXTRACT(EPOCH FROM (now() - updated_at)) * 1000)::bigint::text AS age_ms
         FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
      [req.userId, req.key],
    );
    const row = rows[0];
    if (!row) continue; // released by its owner in the meantime: try to claim again
    if (row.request_hash !== hash) {
      throw new AppError("idempotency_mismatch", "This Idempotency-Key was used for a different request");
    }
    if (row.status === "completed") {
      return { kind: "replay", response: { status: Number(row.response_status), body: row.response_body } };
    }
    if (Number(row.age_ms) > STALE_AFTER_MS) {
      const taken = await db.query(
        "UPDATE idempotency_keys SET owner = $3, updated_at = now() WHERE user_id = $1 AND key = $2 AND owner = $4",
        [req.userId, req.key, owner, row.owner],
      );
      if (taken.rowCount === 1) return { kind: "claimed", owner };
      continue;
    }
    if (Date.now() > deadline) {
      throw new AppError("conflict", "A request with this Idempotency-Key is still in progress; retry later");
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The claim object of an owner: `complete` writes the response on the condition that it still owns the key. */
export function claimOf(req: IdempotencyRequest, owner: string): IdempotencyClaim {
  let completed = false;
  const settled = (q: Queryable | Transaction) => {
    if ("afterCommit" in q) {
      q.afterCommit(() => {
        completed = true;
      });
    } else completed = true;
  };
  return {
    get completed() {
      return completed;
    },
    async complete(q, response) {
      const { rowCount } = await q.query(
        `UPDATE idempotency_keys
            SET status = 'completed', response_status = $4, response_body = $5::jsonb, updated_at = now()
          WHERE user_id = $1 AND key = $2 AND owner = $3`,
        [req.userId, req.key, owner, response.status, JSON.stringify(response.body)],
      );
      if (rowCount !== 1) {
        throw new AppError(
          "conflict",
          "Another attempt with this Idempotency-Key took over; retry to see it",
        );
      }
      settled(q);
    },
    async release(q) {
      await releaseIdempotent(q, req, owner);
      settled(q);
    },
  };
}

/**
 * Claims keys for a batch of requests inside the batch's transaction (group commit), all under one `owner`:
 * returns the indexes of the requests whose key was free. The others (a key used before, or twice in the
 * batch) must go through `beginIdempotent` on their own once this transaction has ended.
 */
export async function claimMany(
  tx: Transaction,
  reqs: readonly IdempotencyRequest[],
  owner: string,
): Promise<Set<number>> {
  const first = new Map<string, number>();
  reqs.forEach((r, i) => {
    const id = `${r.userId}\n${r.key}`;
    if (!first.has(id)) first.set(id, i);
  });
  const candidates = [...first.values()];
  const claimed = new Set<number>();
  if (candidates.length === 0) return claimed;
  const pick = <T>(f: (r: IdempotencyRequest) => T) =>
    candidates.map((i) => f(reqs[i] as IdempotencyRequest));
  const { rows } = await tx.query<{ user_id: string; key: string }>(
    `INSERT INTO idempotency_keys (user_id, key, scope, request_hash, owner)
     SELECT u, k, s, h, $5 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS v(u, k, s, h)
     ON CONFLICT (user_id, key) DO NOTHING RETURNING user_id, key`,
    [
      pick((r) => r.userId),
      pick((r) => r.key),
      pick((r) => r.scope),
      pick((r) => requestHash(r.scope, r.request)),
      owner,
    ],
  );
  for (const row of rows) {
    const i = first.get(`${row.user_id}\n${row.key}`);
    if (i !== undefined) claimed.add(i);
  }
  return claimed;
}

/** Writes the first responses of keys claimed with `claimMany`, in the same transaction. */
export async function completeMany(
  tx: Transaction,
  items: readonly { req: IdempotencyRequest; response: StoredResponse }[],
  owner: string,
): Promise<void> {
  if (items.length === 0) return;
  // Sent with the transaction's deferred writes at commit: nothing reads the stored replies back before.
  deferWrite(
    tx,
    `UPDATE idempotency_keys k
        SET status = 'completed', response_status = v.status, response_body = v.body::jsonb, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[]) AS v(user_id, key, status, body)
      WHERE k.user_id = v.user_id AND k.key = v.key AND k.owner = $5`,
    [
      items.map((i) => i.req.userId),
      items.map((i) => i.req.key),
      items.map((i) => i.response.status),
      items.map((i) => JSON.stringify(i.response.body)),
      owner,
    ],
  );
}

/** Gives up keys claimed with `claimMany` whose requests produced no response, so a retry runs them. */
export async function releaseMany(tx: Transaction, reqs: readonly IdempotencyRequest[], owner: string) {
  if (reqs.length === 0) return;
  deferWrite(
    tx,
    `DELETE FROM idempotency_keys k USING unnest($1::uuid[], $2::text[]) AS v(user_id, key)
      WHERE k.user_id = v.user_id AND k.key = v.key AND k.owner = $3 AND k.status = 'in_progress'`,
    [reqs.map((r) => r.userId), reqs.map((r) => r.key), owner],
  );
}

/** Gives up a claim that produced no response (an unexpected failure), so a retry may run the request. */
export async function releaseIdempotent(q: Queryable, req: IdempotencyRequest, owner: string): Promise<void> {
  await q.query(
    "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND owner = $3 AND status = 'in_progress'",
    [req.userId, req.key, owner],
  );
}

/** Deletes keys older than `ttlHours`; returns how many. */
export async function purgeIdempotencyKeys(q: Queryable, ttlHours: number): Promise<number> {
  const { rowCount } = await q.query(
    "DELETE FROM idempotency_keys WHERE created_at < now() - ($1::int * interval '1 hour')",
    [ttlHours],
  );
  return rowCount;
}
