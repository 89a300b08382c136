import type { User } from "@softchat/contracts";
import { client, hasStoredSession } from "../api/client.js";

export type SessionStatus = "restoring" | "signed-in" | "signed-out";

export interface SessionSnapshot {
  status: SessionStatus;
  user: User | null;
}

type Listener = () => void;

/**
 * The session as React sees it. Adds what the SDK's auth events leave out: `restoring`, the moment after a
 * reload when the tab has a refresh token but the user is not known yet.
 */
class SessionStore {
  private snapshot: SessionSnapshot = { status: hasStoredSession() ? "restoring" : "signed-out", user: null };
  private readonly listeners = new Set<Listener>();
  private restoring: Promise<void> | null = null;

  constructor() {
    client.onAuthChange((state) => {
      if (state.reason === "signed_out") this.set({ status: "signed-out", user: null });
      else if (state.user) this.set({ status: "signed-in", user: state.user });
    });
  }

  getSnapshot = (): SessionSnapshot => this.snapshot;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /**
   * Resumes the tab's session once, however many times React mounts the app (StrictMode mounts twice, and
   * two refreshes with one refresh token would look like theft to the server). Network failures reject so
   * the app can offer a retry; a refused session ends as signed out.
   */
  restore(): Promise<void> {
    this.restoring ??= client.auth
      .restore()
      .then((user) => {
        if (!user) this.set({ status: "signed-out", user: null });
      })
      .finally(() => {
        this.restoring = null;
      });
    return this.restoring;
  }

  private set(next: SessionSnapshot): void {
    if (next.status === this.snapshot.status && next.user === this.snapshot.user) return;
    // Live while signed in, starting before any screen renders (so none shows "offline" for a frame); the
    // SDK closes the connection and drops its queue by itself on sign-out.
    if (next.status === "signed-in") client.realtime.connect();
    this.snapshot = next;
    for (const listener of [...this.listeners]) listener();
  }
}

/** The app's one session store. */
export const sessionStore = new SessionStore();
