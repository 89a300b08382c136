import pg from "pg";
import type { Logger } from "pino";
import { lockKey } from "./params.js";

/**
 * Deployment-wide leases for work that needs exactly one writer (a trading pair's matching engine). On
 * PostgreSQL a lease is a session advisory lock taken with `pg_try_advisory_lock` on a connection of its
 * own, outside the pool: it is held exactly as long as that connection lives, so a node that dies (or whose
 * connection dies) loses it and another node's next try takes it over. On PGlite the single embedded process
 * is the only node there is, so it always holds every lease.
 *
 * The same connection LISTENs for wake-up notifications (`pg_notify`), so a node that holds a lease hears
 * other nodes asking it to work without polling.
 */
export interface LeaseManager {
  /** Takes the lease `name` if nobody holds it; true when this node holds it (now or already). */
  tryAcquire(name: string): Promise<boolean>;
  /** Gives the lease up (nothing when not held). */
  release(name: string): Promise<void>;
  isHeld(name: string): boolean;
  /** Called with the names of the leases lost when the lease connection dies. */
  onLost(fn: (names: string[]) => void): void;
  /** Calls `fn` with each payload sent to `channel` by `pg_notify` (on any node), once connected. */
  listen(channel: string, fn: (payload: string) => void): void;
  /** Releases every lease and closes the connection. */
  close(): Promise<void>;
}

export interface LeaseManagerOptions {
  engine: "pglite" | "postgres";
  /** The PostgreSQL to take leases on (same database as the pool). Required for `postgres`. */
  connectionString?: string;
  /** Prefix of every lock key, so deployments (or test schemas) sharing one database do not collide. */
  namespace: string;
  logger: Logger;
  /** How often the lease connection is checked (ms); a check with no answer in 5 checks' time kills it. */
  healthCheckMs?: number;
  /** `application_name` of the lease connection, to find it in `pg_stat_activity` (default softchat-lease). */
  applicationName?: string;
}

/** Creates the lease manager for the engine in use. */
export function createLeaseManager(options: LeaseManagerOptions): LeaseManager {
  if (options.engine === "pglite") return new EmbeddedLeases();
  if (!options.connectionString) throw new Error("a PostgreSQL lease manager needs a connection string");
  return new PostgresLeases(options.connectionString, options);
}

/** One embedded process: every lease is always held, and there is nobody to hear from. */
class EmbeddedLeases implements LeaseManager {
  private readonly held = new Set<string>();
  async tryAcquire(name: string): Promise<boolean> {
    this.held.add(name);
    return true;
  }
  async release(name: string): Promise<void> {
    this.held.delete(name);
  }
  isHeld(name: string): boolean {
    return this.held.has(name);
  }
  onLost(): void {}
  listen(): void {}
  async close(): Promise<void> {
    this.held.clear();
  }
}

class PostgresLeases implements LeaseManager {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly held = new Set<string>();
  private readonly lostHandlers: Array<(names: string[]) => void> = [];
  private readonly listeners = new Map<string, Array<(payload: string) => void>>();
  private health: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: LeaseManagerOptions,
  ) {}

  async tryAcquire(name: string): Promise<boolean> {
    if (this.closed) return false;
    if (this.held.has(name)) return true;
    const client = await this.connect();
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
      this.key(name),
    ]);
    // The connection may have died while we waited: a lock on a dead session is no lock.
    if (rows[0]?.ok !== true || client !== this.client) return false;
    this.held.add(name);
    return true;
  }

  async release(name: string): Promise<void> {
    if (!this.held.delete(name)) return;
    await this.client?.query("SELECT pg_advisory_unlock($1::bigint)", [this.key(name)]).catch(() => {});
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  onLost(fn: (names: string[]) => void): void {
    this.lostHandlers.push(fn);
  }

  listen(channel: string, fn: (payload: string) => void): void {
    const list = this.listeners.get(channel) ?? [];
    list.push(fn);
    this.listeners.set(channel, list);
    // Channels added after connecting are listened to at once; the others on (re)connection.
    this.client?.query(`LISTEN ${quoteIdent(channel)}`).catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.health) clearInterval(this.health);
    const client = this.client;
    this.client = undefined;
    this.held.clear();
    // Ending the session releases its advisory locks.
    await client?.end().catch(() => {});
  }

  private key(name: string): string {
    return lockKey(`${this.options.namespace}:${name}`);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.url,
      keepAlive: true,
      application_name: this.options.applicationName ?? "softchat-lease",
    });
    client.on("error", (err) => this.lose(client, err));
    client.on("end", () => this.lose(client, new Error("lease connection ended")));
    client.on("notification", (msg) => {
      for (const fn of this.listeners.get(msg.channel) ?? []) fn(msg.payload ?? "");
    });
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
    if (this.closed) {
      await client.end().catch(() => {});
      throw new Error("the lease manager is closed");
    }
    this.client = client;
    this.startHealthCheck();
    return client;
  }

  /** Pings the connection; one that does not answer in time is ended, which loses its leases. */
  private startHealthCheck(): void {
    if (this.health) return;
    const every = this.options.healthCheckMs ?? 1000;
    let inFlight: { client: pg.Client; since: number } | undefined;
    this.health = setInterval(() => {
      const client = this.client;
      if (!client) return;
      if (inFlight) {
        if (inFlight.client === client && Date.now() - inFlight.since > every * 5) {
          this.lose(client, new Error("lease connection stopped answering"));
        }
        return;
      }
      inFlight = { client, since: Date.now() };
      client.query("SELECT 1").then(
        () => {
          inFlight = undefined;
        },
        (err: Error) => {
          inFlight = undefined;
          this.lose(client, err);
        },
      );
    }, every);
    this.health.unref();
  }

  private lose(client: pg.Client, err: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    const names = [...this.held];
    this.held.clear();
    client.end().catch(() => {});
    if (this.closed) return;
    this.options.logger.warn({ err, leases: names }, "lease connection lost");
    if (names.length === 0) return;
    for (const fn of this.lostHandlers) {
      try {
        fn(names);
      } catch (failure) {
        this.options.logger.error({ err: failure }, "lease loss handler failed");
      }
    }
  }
}

/** A channel name as a quoted SQL identifier (LISTEN takes no parameters). */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
