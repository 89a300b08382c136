import { afterEach, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  engines,
  eventually,
  startTestServer,
  type TestDatabase,
  type TestServer,
} from "../../../test/harness.js";
import type { Database } from "../db/index.js";
import { recordAudit, SYSTEM_ACTOR, sealAuditLog, verifyAuditChain } from "./index.js";

async function writeAudits(db: Database, count: number, tag = "test"): Promise<void> {
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      db.transaction((tx) =>
        recordAudit(tx, {
          ...SYSTEM_ACTOR,
          requestId: `${tag}-${i}`,
          action: "wallet.transfer",
          subjectType: "transfer",
          subjectId: String(i),
          before: { available: `${i}00`, nested: { z: 1, a: [1, "2"] } },
          after: { available: `${i}50`, amount: 123456789012345678901234567890n },
        }),
      ),
    ),
  );
}

describe.each(engines)("audit chain on %s", (engine) => {
  let t: TestDatabase | undefined;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    await t?.cleanup();
    server = undefined;
    t = undefined;
  });

  it("seals rows written by many concurrent transactions into one chain that verifies", async () => {
    t = await createTestDatabase(engine);
    const db = t.db;
    // Sealers run while writers commit, as they do on a busy node.
    await Promise.all([
      writeAudits(db, 60, "a"),
      sealAuditLog(db),
      writeAudits(db, 60, "b"),
      sealAuditLog(db),
    ]);
    await sealAuditLog(db);
    const report = await verifyAuditChain(db);
    expect(report).toEqual({ ok: true, rows: 120, unsealed: 0 });
    const { rows } = await db.query<{ n: string; max: string }>(
      "SELECT count(DISTINCT seq)::text AS n, max(seq)::text AS max FROM audit_log",
    );
    expect(rows[0]).toEqual({ n: "120", max: "120" });
  });

  it("refuses to change or delete an audit row, sealed or not", async () => {
    t = await createTestDatabase(engine);
    const db = t.db;
    await writeAudits(db, 2);
    await expect(db.query("UPDATE audit_log SET action = 'nothing' WHERE subject_id = '0'")).rejects.toThrow(
      /append-only/,
    );
    await sealAuditLog(db);
    await expect(db.query("UPDATE audit_log SET hash = repeat('a', 64) WHERE seq = 1")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.query("DELETE FROM audit_log WHERE seq = 2")).rejects.toThrow(/append-only/);
    await expect(db.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("detects a sealed row edited behind the trigger's back, at that row's seq", async () => {
    t = await createTestDatabase(engine);
    const db = t.db;
    await writeAudits(db, 10);
    await sealAuditLog(db);
    // What a superuser could do: switch the guard off, rewrite history, switch it on again.
    await db.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    await db.query(`UPDATE audit_log SET after = '{"available": "999999"}'::jsonb WHERE seq = 6`);
    await db.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadSeq: "6", rows: 5 });
  });

  it("detects a sealed row deleted from the middle of the chain", async () => {
    t = await createTestDatabase(engine);
    const db = t.db;
    await writeAudits(db, 5);
    await sealAuditLog(db);
    await db.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    await db.query("DELETE FROM audit_log WHERE seq = 3");
    await db.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadSeq: "3" });
  });

  it("a running server seals an audit row soon after the transaction that wrote it commits", async () => {
    // A long interval: only the wake-up on commit can seal within the test's patience.
    server = await startTestServer(engine, { AUDIT_SEAL_INTERVAL_MS: "60000" });
    const { db } = server.platform;
    await writeAudits(db, 3);
    await eventually(async () => {
      expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: 3, unsealed: 0 });
    });
  });
});
