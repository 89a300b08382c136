import type { ChatMessage, Page } from "@softchat/contracts";

/** Fetches history the way the REST API serves it. */
export type HistoryFetcher = (
  roomId: string,
  query: { limit?: number; cursor?: string; after?: string },
) => Promise<Page<ChatMessage>>;

/** How far back the SDK remembers message ids per room to drop duplicates. */
const SEEN_PER_ROOM = 5000;
const PAGE = 200;
/** Catch-up stops after this many pages; the app reloads history if a room missed more than that. */
const MAX_PAGES = 25;

/**
 * Where a room's catch-up starts: after a message (exact), or from a moment in time when the position could
 * not be read (everything created since then that we have not seen; "" means everything).
 */
type Position = { id: string; seq: string } | { since: string };

interface RoomState {
  baseline: Position | null;
  seen: Set<string>;
  /** Live messages held back while a catch-up runs, so delivery stays in order. */
  held: ChatMessage[] | null;
  syncing: Promise<void> | null;
}

/**
 * Delivers every chat message once, in order, whichever way it arrived: live on the socket, from a catch-up
 * after an unrecovered reconnect, from polling, or as the echo of our own send. Dedupes by message id and
 * remembers the newest message per room, which is where the next catch-up (`?after=`) starts.
 */
export class RoomTracker {
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly fetchHistory: HistoryFetcher,
    private readonly deliver: (message: ChatMessage) => void,
    /** The server's time now, minus a margin, as an ISO string: the fallback position. */
    private readonly sinceNow: () => string,
  ) {}

  /** Rooms whose position is known, so a catch-up can run for them. */
  get syncableRooms(): string[] {
    return [...this.rooms.entries()].filter(([, s]) => s.baseline !== null).map(([id]) => id);
  }

  /** A message from the socket or a send acknowledgement. */
  receive(message: ChatMessage): void {
    const state = this.state(message.roomId);
    if (state.held) state.held.push(message);
    else this.deliverOnce(state, message);
  }

  /**
   * Records where the room stands now, if not known yet, so that messages sent while we are away can be
   * told apart from older history. Costs one small history request per newly followed room; if that fails,
   * the position falls back to the server's clock now, so what arrives meanwhile is still caught up.
   */
  async establishBaseline(roomId: string): Promise<void> {
    const state = this.state(roomId);
    if (state.baseline !== null) return;
    const since = this.sinceNow();
    let page: Page<ChatMessage>;
    try {
      page = await this.fetchHistory(roomId, { limit: 1 });
    } catch (err) {
      state.baseline ??= { since };
      throw err;
    }
    if (state.baseline !== null) return;
    const newest = page.items[0];
    if (newest) {
      state.seen.add(newest.id);
      state.baseline = { id: newest.id, seq: newest.seq };
    } else {
      state.baseline = { since: "" };
    }
  }

  /** Marks messages the app already shows (e.g. history it loaded) as seen, moving the position forward. */
  markSeen(messages: ChatMessage[]): void {
    for (const message of messages) {
      const state = this.state(message.roomId);
      remember(state.seen, message.id);
      advance(state, message);
    }
  }

  /**
   * Fetches and delivers what the room received after the last message we delivered. Live messages that
   * arrive meanwhile wait and are delivered after, in seq order, without duplicates.
   */
  catchUp(roomId: string): Promise<void> {
    const state = this.state(roomId);
    if (state.baseline === null) return Promise.resolve();
    state.syncing ??= (async () => {
      state.held = [];
      try {
        const missed = await this.fetchMissed(roomId, state);
        for (const message of missed) this.deliverOnce(state, message);
      } finally {
        const held = (state.held ?? []).sort(bySeq);
        state.held = null;
        state.syncing = null;
        for (const message of held) this.deliverOnce(state, message);
      }
    })();
    return state.syncing;
  }

  forget(roomId: string): void {
    this.rooms.delete(roomId);
  }

  clear(): void {
    this.rooms.clear();
  }

  private async fetchMissed(roomId: string, state: RoomState): Promise<ChatMessage[]> {
    const baseline = state.baseline;
    const missed: ChatMessage[] = [];
    if (baseline === null) return missed;
    if ("since" in baseline) {
      // No message to count from: walk back from the newest until we pass the moment we started following.
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const result = await this.fetchHistory(roomId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
        const recent = result.items.filter((m) => m.createdAt >= baseline.since);
        missed.push(...recent);
        if (!result.nextCursor || recent.length < result.items.length) break;
        cursor = result.nextCursor;
      }
      return missed.sort(bySeq);
    }
    let after = baseline.id;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await this.fetchHistory(roomId, { after, limit: PAGE });
      missed.push(...result.items);
      const last = result.items.at(-1);
      if (!last || !result.nextCursor) break;
      after = last.id;
    }
    return missed.sort(bySeq);
  }

  private deliverOnce(state: RoomState, message: ChatMessage): void {
    if (state.seen.has(message.id)) return;
    remember(state.seen, message.id);
    advance(state, message);
    this.deliver(message);
  }

  private state(roomId: string): RoomState {
    let state = this.rooms.get(roomId);
    if (!state) {
      state = { baseline: null, seen: new Set(), held: null, syncing: null };
      this.rooms.set(roomId, state);
    }
    return state;
  }
}

function advance(state: RoomState, message: ChatMessage): void {
  const baseline = state.baseline;
  if (baseline === null || "since" in baseline || compareSeq(message.seq, baseline.seq) > 0) {
    state.baseline = { id: message.id, seq: message.seq };
  }
}

function remember(seen: Set<string>, id: string): void {
  seen.add(id);
  if (seen.size > SEEN_PER_ROOM) {
    const oldest = seen.values().next().value;
    if (oldest !== undefined) seen.delete(oldest);
  }
}

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return compareSeq(a.seq, b.seq);
}

/** Orders two room sequence numbers: integers as decimal strings without leading zeros, past 2^53. */
function compareSeq(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
