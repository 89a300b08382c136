import { randomBytes } from "node:crypto";
import type pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, engines, eventually, type TestDatabase } from "../../../test/harness.js";
import { startTcpProxy } from "../../../test/tcp-proxy.js";
import { deferFinalWrite, deferWrite, withDeferredWrites } from "./deferred-writes.js";
import { migrate, readMigrations } from "./migrate.js";
import { openPostgres } from "./postgres.js";
import type { Transaction } from "./types.js";

describe.each(engines)("database layer on %s", (engine) => {
  let t: TestDatabase;
  afterEach(async () => {
    await t?.cleanup();
  });

  it("passes arrays of text, numbers and nulls through exactly, whatever characters they hold", async () => {
    t = await createTestDatabase(engine);
    const texts = [
      "plain",
      'with "quotes"',
      'back\\slash \\"',
      "a,b",
      "{braces}",
      "NULL",
      "",
      " spaced ",
      "ünïcödé ✓",
      "emoji 🚀 and \u2028",
      "line\nbreak\ttab\r\u0001",
      'quote and newline "\n',
      JSON.stringify({ note: 'say "hi"\\', lines: "a\nb", path: "C:\\dir", nested: { list: [1, "x"] } }),
      null,
    ];
    const numbers = [0, -12, 3.5, 12345678901234567890n, null];
    const flags = [true, false, null];
    const { rows } = await t.db.query<{
      texts: Array<string | null>;
      numbers: Array<string | null>;
      flags: Array<boolean | null>;
    }>("SELECT $1::text[] AS texts, $2::numeric[]::text[] AS numbers, $3::boolean[] AS flags", [
      texts,
      numbers,
      flags,
    ]);
    expect(rows[0]?.texts).toEqual(texts);
    expect(rows[0]?.numbers).toEqual(["0", "-12", "3.5", "12345678901234567890", null]);
    expect(rows[0]?.flags).toEqual(flags);
    // JSON text in a text[] parameter reaches jsonb intact (the outbox and audit rows are written so).
    const json = texts.at(-2) as string;
    const doc = await t.db.query<{ doc: unknown }>("SELECT (($1::text[])[1])::jsonb AS doc", [[json]]);
    expect(doc.rows[0]?.doc).toEqual(JSON.parse(json));
  });

  it("commits a transaction's writes and runs after-commit hooks once", async () => {
    t = await createTestDatabase(engine);
    let hooks = 0;
    await t.db.transaction(async (tx) => {
      await tx.query("CREATE TABLE notes (id INT PRIMARY KEY, amount NUMERIC(39,0))");
      await tx.query("INSERT INTO notes VALUES (1, $1)", [123456789012345678901234567890n]);
      tx.afterCommit(() => hooks++);
    });
    const { rows } = await t.db.query<{ amount: string }>("SELECT amount FROM notes");
    expect(rows[0]?.amount).toBe("123456789012345678901234567890");
    expect(hooks).toBe(1);
  });

  it("rolls back every write of a failed transaction and skips its hooks", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY)");
    let hooks = 0;
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES (1)");
        tx.afterCommit(() => hooks++);
        await tx.query("INSERT INTO notes VALUES (1)");
      }),
    ).rejects.toThrow();
    const { rows } = await t.db.query("SELECT * FROM notes");
    expect(rows).toHaveLength(0);
    expect(hooks).toBe(0);
  });

  it("runs before-commit writes inside the transaction: they commit with it, or fail it whole", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY)");
    const order: string[] = [];
    await t.db.transaction(async (tx) => {
      tx.beforeCommit(async () => {
        order.push("before");
        await tx.query("INSERT INTO notes VALUES (2)");
      });
      tx.afterCommit(() => order.push("after"));
      await tx.query("INSERT INTO notes VALUES (1)");
      order.push("callback");
    });
    expect(order).toEqual(["callback", "before", "after"]);
    let hooks = 0;
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES (3)");
        tx.afterCommit(() => hooks++);
        // Fails at the end, on a key written earlier: the insert of 3 must go too.
        tx.beforeCommit(async () => {
          await tx.query("INSERT INTO notes VALUES (1)");
        });
      }),
    ).rejects.toThrow();
    const { rows } = await t.db.query<{ id: number }>("SELECT id FROM notes ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
    expect(hooks).toBe(0);
  });

  it("runs statements sent without waiting in the order sent, each with its own answer; after a failure none", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY)");
    const answers = await t.db.transaction((tx) =>
      Promise.all([
        tx.query("INSERT INTO notes VALUES (1)"),
        tx.query<{ n: number }>("SELECT count(*)::int AS n FROM notes"),
        tx.query("INSERT INTO notes VALUES (2)"),
        tx.query<{ n: number }>("SELECT count(*)::int AS n FROM notes"),
      ]),
    );
    expect(answers.map((a) => a.rows[0]?.n)).toEqual([undefined, 1, undefined, 2]);
    const settled: string[] = [];
    await expect(
      t.db.transaction((tx) =>
        Promise.all(
          [
            "INSERT INTO notes VALUES (3)",
            "INSERT INTO notes VALUES (1)",
            "INSERT INTO notes VALUES (4)",
          ].map((sql) =>
            tx.query(sql).then(
              () => settled.push("ok"),
              (err) => {
                settled.push("failed");
                throw err;
              },
            ),
          ),
        ),
      ),
    ).rejects.toThrow();
    // The duplicate key aborts the transaction: the insert after it fails too, and the one before is undone.
    await eventually(() => expect(settled).toEqual(["ok", "failed", "failed"]));
    const { rows } = await t.db.query<{ id: number }>("SELECT id FROM notes ORDER BY id");
    expect(rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("a transaction whose COMMIT fails (a deferred constraint) is not committed and runs no after-commit hook", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY)");
    await t.db.query(
      "CREATE TABLE tags (note_id INT NOT NULL REFERENCES notes (id) DEFERRABLE INITIALLY DEFERRED, tag TEXT)",
    );
    let hooks = 0;
    let last: unknown[] = [];
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES (1)");
        // Names a note nobody wrote: only checked at COMMIT, after every statement of the transaction passed.
        deferWrite(tx, "INSERT INTO tags VALUES ($1, $2)", [9, "orphan"]);
        tx.afterCommit(() => hooks++);
        tx.beforeCommit(async () => {
          last = (await tx.query("SELECT 1 AS one")).rows;
        });
      }),
    ).rejects.toThrow();
    expect(last).toEqual([{ one: 1 }]);
    expect(hooks).toBe(0);
    const { rows } = await t.db.query("SELECT id FROM notes");
    expect(rows).toHaveLength(0);
  });

  it("sends a transaction's deferred writes at commit as one statement, in front of a host statement if any", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)");
    await t.db.query("CREATE TABLE tags (note_id INT NOT NULL REFERENCES notes (id), tag TEXT)");
    const sent: string[] = [];
    const counted = (raw: Transaction): Transaction => ({
      query: (sql, params) => {
        sent.push(sql);
        return raw.query(sql, params);
      },
      afterCommit: (hook) => raw.afterCommit(hook),
      beforeCommit: (hook) => raw.beforeCommit(hook),
    });
    let hostRows: unknown[] = [];
    await t.db.transaction(async (raw) => {
      const tx = counted(raw);
      deferWrite(tx, "INSERT INTO notes VALUES ($1, $2)", [1, "one"]);
      // Names the row of the write before it: foreign keys are checked at the end of the statement.
      deferWrite(tx, "INSERT INTO tags VALUES ($1, $2)", [1, "first"]);
      tx.beforeCommit(async () => {
        const host = withDeferredWrites(tx, {
          sql: "WITH n AS (SELECT $1::int AS v) SELECT v FROM n",
          params: [7],
        });
        hostRows = (await tx.query(host.sql, host.params)).rows;
      });
      expect(sent).toEqual([]);
    });
    expect(sent).toHaveLength(1);
    expect(hostRows).toEqual([{ v: 7 }]);
    sent.length = 0;
    await t.db.transaction(async (raw) => {
      const tx = counted(raw);
      deferWrite(tx, "INSERT INTO notes VALUES ($1, $2)", [2, "two"]);
      deferWrite(tx, "UPDATE notes SET body = $2 WHERE id = $1", [1, "uno"]);
    });
    expect(sent).toHaveLength(1);
    // Nothing of a rolled-back transaction is written, and a deferred write that fails fails it whole.
    await expect(
      t.db.transaction(async (tx) => {
        deferWrite(tx, "INSERT INTO notes VALUES ($1, $2)", [3, "three"]);
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES (4, 'four')");
        deferWrite(tx, "INSERT INTO notes VALUES ($1, $2)", [1, "again"]);
      }),
    ).rejects.toThrow();
    const { rows } = await t.db.query<{ id: number; body: string }>("SELECT id, body FROM notes ORDER BY id");
    expect(rows).toEqual([
      { id: 1, body: "uno" },
      { id: 2, body: "two" },
    ]);
  });

  it("sends final writes last, after every before-commit write, and hands over their rows before the commit's hooks run", async () => {
    t = await createTestDatabase(engine);
    await t.db.query("CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)");
    const order: string[] = [];
    await t.db.transaction(async (tx) => {
      deferFinalWrite(tx, {
        sql: "UPDATE notes SET body = body || $2 WHERE id = $1 RETURNING body",
        params: [1, "+final"],
        onRows: (rows) => order.push(`rows ${JSON.stringify(rows)}`),
      });
      deferFinalWrite(tx, { sql: "SELECT count(*)::int AS n FROM notes", params: [] });
      // Queued before the final writes, yet sent before them: a final write sees what these wrote.
      deferWrite(tx, "INSERT INTO notes VALUES ($1, $2)", [1, "deferred"]);
      tx.beforeCommit(async () => {
        order.push("before");
      });
      tx.afterCommit(() => order.push("after"));
    });
    expect(order).toEqual(["before", 'rows [{"body":"deferred+final"}]', "after"]);

    // A final write that fails fails the transaction whole: not committed, no hook, the error to the caller.
    let hooks = 0;
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query("INSERT INTO notes VALUES (2, 'two')");
        deferFinalWrite(tx, { sql: "INSERT INTO notes VALUES ($1, $2)", params: [1, "taken"] });
        tx.afterCommit(() => hooks++);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(hooks).toBe(0);
    const { rows } = await t.db.query<{ id: number; body: string }>("SELECT id, body FROM notes ORDER BY id");
    expect(rows).toEqual([{ id: 1, body: "deferred+final" }]);
  });

  it("runs a transaction at the isolation level asked for", async () => {
    t = await createTestDatabase(engine);
    const level = await t.db.transaction(
      async (tx) =>
        (await tx.query<{ l: string }>("SELECT current_setting('transaction_isolation') AS l")).rows[0]?.l,
      { isolation: "serializable" },
    );
    expect(level).toBe("serializable");
  });

  it("refuses a direct query from inside a transaction callback instead of deadlocking", async () => {
    t = await createTestDatabase(engine);
    await expect(t.db.transaction(async () => t.db.query("SELECT 1"))).rejects.toThrow(/use the tx/);
  });

  it("applies migrations once: a second run applies nothing", async () => {
    t = await createTestDatabase(engine);
    expect(await migrate(t.db)).toEqual([]);
    const { rows } = await t.db.query<{ n: string }>("SELECT count(*)::text AS n FROM schema_migrations");
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(2);
  });
});

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

describe.skipIf(!TEST_DATABASE_URL)("a PostgreSQL transaction's round trips", () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
  });

  it("sends the callback's first statement together with BEGIN, before BEGIN is answered", async () => {
    t = await createTestDatabase("postgres");
    const wire: string[] = [];
    const watched = new WeakSet<pg.PoolClient>();
    (t.db as unknown as { pool: pg.Pool }).pool.on("acquire", (client) => {
      if (watched.has(client)) return;
      watched.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        const sql = typeof args[0] === "string" ? args[0] : (args[0] as { text: string }).text;
        const word = sql.trim().split(/\s+/)[0] ?? "";
        const answer = query(...args);
        // Transactions use promises; the pool's own one-off queries (callbacks) are not watched.
        if (!answer) return answer;
        wire.push(`send ${word}`);
        answer.then(
          () => wire.push(`answer ${word}`),
          () => wire.push(`error ${word}`),
        );
        return answer;
      };
    });
    const { rows } = await t.db.transaction((tx) => tx.query<{ n: number }>("SELECT 1 AS n"));
    expect(rows).toEqual([{ n: 1 }]);
    expect(wire.indexOf("send SELECT")).toBeLessThan(wire.indexOf("answer BEGIN"));
    expect(wire.filter((l) => l.startsWith("send"))).toEqual(["send BEGIN", "send SELECT", "send COMMIT"]);
  });

  it("sends BEGIN and the statements sent together with it in one write to the socket", async () => {
    t = await createTestDatabase("postgres");
    // Each call of the socket's _write or _writev is one system call carrying what was buffered.
    const writes: number[] = [];
    const watched = new WeakSet<object>();
    (t.db as unknown as { pool: pg.Pool }).pool.on("acquire", (client) => {
      const socket = (client as unknown as { connection: { stream: Record<string, unknown> } }).connection
        .stream;
      if (watched.has(socket)) return;
      watched.add(socket);
      for (const name of ["_write", "_writev"]) {
        const original = socket[name] as (...args: unknown[]) => unknown;
        socket[name] = function (this: unknown, ...args: unknown[]) {
          writes.push(name === "_writev" ? (args[0] as unknown[]).length : 1);
          return original.apply(this, args);
        };
      }
    });
    const rows = await t.db.transaction(async (tx) => {
      const [a, b] = await Promise.all([
        tx.query<{ n: number }>("SELECT 1 AS n"),
        tx.query<{ n: number }>("SELECT $1::int AS n", [2]),
      ]);
      const c = await tx.query<{ n: number }>("SELECT 3 AS n");
      return [a.rows[0]?.n, b.rows[0]?.n, c.rows[0]?.n];
    });
    expect(rows).toEqual([1, 2, 3]);
    // BEGIN with both statements sent together; the third alone; COMMIT alone.
    expect(writes).toHaveLength(3);

    // The final writes leave with COMMIT: the locks they take are held for one round trip only.
    writes.length = 0;
    await t.db.transaction(async (tx) => {
      await tx.query("SELECT 1");
      deferFinalWrite(tx, { sql: "SELECT $1::int AS n", params: [1] });
      deferFinalWrite(tx, { sql: "SELECT $1::int AS n", params: [2] });
    });
    expect(writes).toHaveLength(2);
  });
});

describe.skipIf(!TEST_DATABASE_URL)("a lost PostgreSQL connection", () => {
  it("fails the transaction or lock session that was using it, not the process, and the pool recovers", async () => {
    const target = new URL(TEST_DATABASE_URL ?? "");
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(target);
    url.port = String(proxy.port);
    const db = await openPostgres({ url: url.toString(), poolSize: 2 });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on("uncaughtException", onUncaught);
    try {
      // Both connections are checked out and between statements (the code awaits something else) when
      // the network drops.
      let cut!: () => void;
      const cutNow = new Promise<void>((resolve) => {
        cut = resolve;
      });
      const inTransaction = db.transaction(async (tx) => {
        await tx.query("SELECT 1");
        await cutNow;
        await new Promise((resolve) => setTimeout(resolve, 200));
        await tx.query("SELECT 2");
      });
      const inLock = db.withLock("db-test:lost", async (session) => {
        await cutNow;
        await new Promise((resolve) => setTimeout(resolve, 200));
        await session.query("SELECT 3");
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await proxy.cut();
      cut();
      // Both awaited at once: either may fail first, and neither failure may go unhandled meanwhile.
      const outcomes = await Promise.allSettled([inTransaction, inLock]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe("rejected");
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      }
      expect(uncaught).toEqual([]);
      await proxy.restore();
      // The dead clients were thrown away: the pool hands out working ones.
      const { rows } = await db.query<{ n: number }>("SELECT 1 AS n");
      expect(rows[0]?.n).toBe(1);
      await db.transaction((tx) => tx.query("SELECT 1"));
    } finally {
      process.off("uncaughtException", onUncaught);
      await db.close();
      await proxy.close();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)("migrations on PostgreSQL", () => {
  it("two nodes starting together on an empty database migrate it once between them", async () => {
    const url = TEST_DATABASE_URL ?? "";
    const schema = `t_mig_${randomBytes(5).toString("hex")}`;
    const admin = await openPostgres({ url, poolSize: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    const nodes = [
      await openPostgres({ url, poolSize: 2, schema }),
      await openPostgres({ url, poolSize: 2, schema }),
    ];
    try {
      const applied = await Promise.all(nodes.map((db) => migrate(db)));
      const all = readMigrations().map((m) => m.name);
      // One node applied everything, the other waited for the lock and found nothing left to do.
      expect([...applied].sort((a, b) => b.length - a.length)).toEqual([all, []]);
      const { rows } = await admin.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM ${schema}.schema_migrations`,
      );
      expect(Number(rows[0]?.n)).toBe(all.length);
    } finally {
      for (const db of nodes) await db.close();
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.close();
    }
  });
});
