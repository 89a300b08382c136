import type { Redis } from "ioredis";

/**
 * Socket.IO's Redis Streams adapter writes one stream entry per broadcast, and every node reads every entry
 * back. A settled batch of orders fans out hundreds of events in one go (balances, order updates,
 * notifications): as many XADDs, entries read back and parsed by each node, and a stream that, trimmed to
 * `maxLen` entries, holds barely a second of history under load, too little for a client to recover its
 * session after a short disconnection. Here the broadcasts made in one turn of the event loop go into ONE
 * entry. Each packet's offset names its entry and its place in it (`<entry id>:<index>`), so a recovering
 * client gets exactly the packets after the last one it saw, even from the middle of an entry.
 *
 * Upgrading: nodes of a release without this code ignore batch entries, so while old and new nodes run side
 * by side, sockets on old nodes miss the events new nodes fan out (their REST state is right; screens catch
 * up on their next fetch or reconnection). Replace all nodes together, or accept that gap during the roll.
 */

/** The adapter's message type for a broadcast (socket.io-adapter's MessageType.BROADCAST). */
const BROADCAST = 3;
/** A Socket.IO event packet (socket.io-parser's PacketType.EVENT). */
const EVENT = 2;
/** Our stream entry type for a batch of broadcasts; other nodes running this code unpack it. */
const BATCH = 100;
/** Most broadcasts in one entry (one entry stays a few hundred kB at most). */
const MAX_BATCH = 500;
/** As the adapter: a recovery reads at most this many ranges of the stream. */
const MAX_RANGE_READS = 100;

interface ClusterMessage {
  uid?: string;
  nsp?: string;
  type: number;
  data?: unknown;
}

interface BroadcastData {
  packet: { type: number; data: unknown[]; id?: number };
  opts: { rooms: string[]; except: string[]; flags?: Record<string, unknown> };
  requestId?: string;
}

interface RawEntry {
  uid?: string;
  nsp?: string;
  type?: string;
  data?: string;
}

interface Session {
  pid: string;
  rooms: string[];
  missedPackets: unknown[][];
  [key: string]: unknown;
}

/** The parts of a Redis Streams adapter instance this wraps (its own methods, replaced on the instance). */
interface StreamsAdapter {
  uid: string;
  nsp: {
    name: string;
    server: { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } };
  };
  doPublish(message: ClusterMessage): Promise<string>;
  onRawMessage(raw: RawEntry, offset: string): void;
  onMessage(message: ClusterMessage, offset: string): void;
  persistSession(session: Session): void;
  restoreSession(pid: string, offset: string): Promise<Session>;
}

export interface StreamBatchOptions {
  redis: Redis;
  streamName: string;
  sessionKeyPrefix: string;
}

/**
 * Makes `adapter` (a Redis Streams adapter of one namespace) publish the broadcasts of one event-loop turn
 * as one stream entry, unpack such entries from other nodes, and recover sessions from either kind of
 * entry. Broadcasts waiting for client acknowledgements, and every other cluster message, go as before.
 * Also drops the entries this node wrote itself before anything is decoded: they were delivered here when
 * published.
 */
export function batchStreamBroadcasts<A extends object>(adapter: A, options: StreamBatchOptions): A {
  const a = adapter as unknown as StreamsAdapter;
  if (
    typeof a.doPublish !== "function" ||
    typeof a.onRawMessage !== "function" ||
    typeof a.uid !== "string"
  ) {
    return adapter;
  }
  const publishOne = a.doPublish.bind(a);
  const onRawMessage = a.onRawMessage.bind(a);
  let pending: Array<{ message: ClusterMessage; resolve(offset: string): void; reject(err: unknown): void }> =
    [];

  const flush = () => {
    const batch = pending;
    pending = [];
    // A batch that filled up was sent at once; the turn's scheduled flush may then find nothing.
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [one] = batch;
      if (one) publishOne(one.message).then(one.resolve, one.reject);
      return;
    }
    const entry: ClusterMessage = {
      uid: a.uid,
      nsp: a.nsp.name,
      type: BATCH,
      data: batch.map((p) => p.message.data),
    };
    publishOne(entry).then(
      (id) => {
        batch.forEach((p, i) => {
          p.resolve(`${id}:${i}`);
        });
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
  };

  a.doPublish = (message) => {
    const data = message.data as BroadcastData | undefined;
    if (message.type !== BROADCAST || !data || data.requestId !== undefined) return publishOne(message);
    return new Promise<string>((resolve, reject) => {
      pending.push({ message, resolve, reject });
      if (pending.length === 1) queueMicrotask(flush);
      else if (pending.length >= MAX_BATCH) flush();
    });
  };

  a.onRawMessage = (raw, offset) => {
    if (raw.uid === a.uid) return;
    if (raw.type !== String(BATCH)) {
      onRawMessage(raw, offset);
      return;
    }
    unpack(raw).forEach((data, i) => {
      a.onMessage({ uid: raw.uid, nsp: raw.nsp, type: BROADCAST, data }, `${offset}:${i}`);
    });
  };

  // Sessions are kept as JSON by this code on every node, so any node can restore what another persisted.
  a.persistSession = (session) => {
    const { missedPackets: _none, ...kept } = session;
    const ttlMs = a.nsp.server.opts.connectionStateRecovery?.maxDisconnectionDuration ?? 0;
    if (ttlMs <= 0) return;
    void options.redis
      .set(options.sessionKeyPrefix + session.pid, JSON.stringify(kept), "PX", ttlMs)
      .catch(() => {});
  };

  a.restoreSession = async (pid, offset) => {
    const at = parseOffset(offset);
    if (!at) throw new Error("invalid offset");
    const key = options.sessionKeyPrefix + pid;
    // GET and DEL in one MULTI rather than GETDEL, which Redis before 6.2 lacks (as the adapter does).
    const [taken, found] = await Promise.all([
      options.redis.multi().get(key).del(key).exec(),
      options.redis.xrange(options.streamName, at.id, at.id),
    ]);
    const session = taken?.[0]?.[1] as string | null | undefined;
    if (!session || found.length === 0) throw new Error("session or offset not found");
    const restored: Session = { ...(JSON.parse(session) as Session), missedPackets: [] };
    // The entry of the last packet the client saw is read again for what followed it inside the entry.
    let start = at.id;
    let skipThrough = at.index;
    for (let read = 0; read < MAX_RANGE_READS; read++) {
      const entries = await options.redis.xrange(options.streamName, start, "+");
      const fresh = entries.filter(([id]) => id !== at.id || skipThrough !== undefined);
      if (fresh.length === 0) break;
      for (const [id, fields] of fresh) {
        const raw = fieldsOf(fields);
        if (raw.nsp === a.nsp.name) {
          for (const [i, data] of broadcastsOf(raw)) {
            if (id === at.id && skipThrough !== undefined && i <= skipThrough) continue;
            if (!wanted(restored.rooms, data.opts)) continue;
            const packetOffset = raw.type === String(BATCH) ? `${id}:${i}` : id;
            restored.missedPackets.push([...data.packet.data, packetOffset]);
          }
        }
        start = nextId(id);
      }
      skipThrough = undefined;
    }
    return restored;
  };
  return adapter;
}

function unpack(raw: RawEntry): BroadcastData[] {
  try {
    const list = JSON.parse(raw.data ?? "[]") as unknown;
    return Array.isArray(list) ? (list as BroadcastData[]) : [];
  } catch {
    return [];
  }
}

/**
 * The broadcasts an entry carries (those of a batch, or the one of a single-broadcast entry), each at its
 * index; only events without acknowledgement are replayed, the packets that carry offsets.
 */
function broadcastsOf(raw: RawEntry): Array<[number, BroadcastData]> {
  let list: BroadcastData[] = [];
  if (raw.type === String(BATCH)) list = unpack(raw);
  else if (raw.type === String(BROADCAST) && raw.data?.startsWith("{"))
    list = [JSON.parse(raw.data) as BroadcastData];
  return [...list.entries()].filter(
    ([, d]) => d.requestId === undefined && d.packet?.type === EVENT && d.packet.id === undefined,
  );
}

function wanted(rooms: string[], opts: BroadcastData["opts"]): boolean {
  const included = opts.rooms.length === 0 || rooms.some((room) => opts.rooms.includes(room));
  return included && rooms.every((room) => !opts.except.includes(room));
}

function fieldsOf(fields: string[]): RawEntry {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}

/** `<entry id>` (a packet of a single-broadcast entry) or `<entry id>:<index>` (one of a batch). */
export function parseOffset(offset: string): { id: string; index?: number } | null {
  const match = /^(\d+-\d+)(?::(\d+))?$/.exec(offset);
  if (!match?.[1]) return null;
  return match[2] === undefined ? { id: match[1] } : { id: match[1], index: Number(match[2]) };
}

function nextId(id: string): string {
  const [ms, seq] = id.split("-");
  return `${ms}-${Number(seq) + 1}`;
}
