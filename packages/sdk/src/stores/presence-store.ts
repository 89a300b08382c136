import type { Presence } from "@softchat/contracts";
import type { SoftchatClient } from "../client.js";
import { SnapshotStore } from "./store.js";

export type PresenceMap = Readonly<Record<string, Presence>>;

/**
 * The presence of a set of users: read once over HTTP, then kept current by `user_online`, `user_offline`
 * and `presence_update` (the server sends those for users who share a room with me).
 */
export class PresenceStore extends SnapshotStore<{ users: PresenceMap }> {
  private cleanups: Array<() => void> = [];

  constructor(
    private readonly client: SoftchatClient,
    private readonly userIds: readonly string[],
  ) {
    super({ users: {} });
  }

  start(): void {
    if (this.cleanups.length > 0) return;
    const { realtime } = this.client;
    this.cleanups.push(
      realtime.on("user_online", ({ userId }) => this.set(userId, { status: "online" })),
      realtime.on("user_offline", ({ userId, lastSeenAt }) =>
        this.set(userId, { status: "offline", lastSeenAt }),
      ),
      realtime.on("presence_update", ({ userId, status }) => this.set(userId, { status })),
      realtime.onSync((info) => {
        if (info.via === "reconnect") void this.refresh();
      }),
    );
    void this.refresh();
  }

  stop(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  async refresh(): Promise<void> {
    const results = await Promise.allSettled(this.userIds.map((id) => this.client.presence.get(id)));
    const users: Record<string, Presence> = { ...this.getSnapshot().users };
    for (const result of results) {
      if (result.status === "fulfilled") users[result.value.userId] = result.value;
    }
    this.update({ users });
  }

  private set(userId: string, change: Partial<Presence>): void {
    if (!this.userIds.includes(userId)) return;
    const current = this.getSnapshot().users[userId] ?? { userId, status: "offline", lastSeenAt: null };
    this.update({ users: { ...this.getSnapshot().users, [userId]: { ...current, ...change } } });
  }
}
