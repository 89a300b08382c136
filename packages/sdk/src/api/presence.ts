import type { Presence } from "@softchat/contracts";
import type { HttpTransport } from "../http/transport.js";

/** A user's presence over HTTP (`/api/presence/:userId`); live changes come from the realtime client. */
export class PresenceApi {
  constructor(private readonly http: HttpTransport) {}

  /** `{ userId, status, lastSeenAt }` for one user. */
  get(userId: string): Promise<Presence> {
    return this.http.request<Presence>("GET", `/api/presence/${encodeURIComponent(userId)}`);
  }
}
