import type { TokenPair, User } from "@softchat/contracts";
import { isAuthFailure, SoftchatError } from "./errors.js";
import type { TokenStore } from "./token-store.js";

/** Why the auth state changed: a sign-in, a silent token refresh, a new profile, or a sign-out. */
export type AuthChangeReason = "signed_in" | "refreshed" | "user_updated" | "signed_out";

/** What the app sees of the session. The refresh token stays in the token store, out of sight. */
export interface AuthState {
  /** The signed-in user, once known (after login, register, `restore()` or `me()`). */
  user: User | null;
  /** True while the SDK holds an access token. */
  signedIn: boolean;
  reason: AuthChangeReason;
}

export type AuthChangeListener = (state: AuthState) => void;

/** Exchanges a refresh token for a new pair; throws SoftchatError (401 when the token is refused). */
export type RefreshFn = (refreshToken: string) => Promise<TokenPair>;

/**
 * The session: the access token in memory, the refresh token in the app's store, and one refresh at a
 * time however many requests find their token expired at once.
 */
export class AuthSession {
  private access: string | null = null;
  private currentUser: User | null = null;
  private refreshing: Promise<string> | null = null;
  /** Bumped by sign-in and sign-out, so a refresh that started before them does not resurrect a session. */
  private generation = 0;
  private readonly listeners = new Set<AuthChangeListener>();

  constructor(
    private readonly store: TokenStore,
    private readonly refreshFn: RefreshFn,
  ) {}

  get accessToken(): string | null {
    return this.access;
  }

  get user(): User | null {
    return this.currentUser;
  }

  /** Starts a session from tokens the server issued (login, register, or tokens obtained elsewhere). */
  async signIn(tokens: {
    accessToken: string;
    refreshToken?: string | null;
    user?: User | null;
  }): Promise<void> {
    this.generation++;
    this.refreshing = null;
    this.access = tokens.accessToken;
    this.currentUser = tokens.user ?? null;
    if (tokens.refreshToken !== undefined) await this.store.setRefreshToken(tokens.refreshToken);
    this.emit("signed_in");
  }

  /** Records the profile the server returned (from `me()`). */
  setUser(user: User): void {
    this.currentUser = user;
    this.emit("user_updated");
  }

  /** Forgets both tokens and the user. */
  async signOut(): Promise<void> {
    const wasSignedIn = this.access !== null || this.currentUser !== null;
    this.generation++;
    this.refreshing = null;
    this.access = null;
    this.currentUser = null;
    await this.store.setRefreshToken(null);
    if (wasSignedIn) this.emit("signed_out");
  }

  async refreshToken(): Promise<string | null> {
    return this.store.getRefreshToken();
  }

  /**
   * A fresh access token after `stale` was refused (or when there is none yet). Calls made while a refresh is
   * in flight share it, and a caller whose stale token was already replaced gets the new one without another
   * refresh. Throws SoftchatError 401 when there is no session to refresh; signs out when the server refuses
   * the refresh token (expired, revoked, or reused).
   */
  refreshAccessToken(stale: string | null): Promise<string> {
    if (this.access !== null && this.access !== stale) return Promise.resolve(this.access);
    this.refreshing ??= this.runRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Subscribes to sign-in, refresh and sign-out. Returns the unsubscribe function. */
  onChange(listener: AuthChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async runRefresh(): Promise<string> {
    const generation = this.generation;
    const refreshToken = await this.store.getRefreshToken();
    if (!refreshToken) throw new SoftchatError(401, "unauthenticated", "Not signed in");
    let pair: TokenPair;
    try {
      pair = await this.refreshFn(refreshToken);
    } catch (err) {
      // A refused refresh token ends the session; a network failure keeps it for the next try.
      if (isAuthFailure(err) && generation === this.generation) await this.signOut();
      throw err;
    }
    if (generation !== this.generation) {
      throw new SoftchatError(401, "unauthenticated", "The session ended while refreshing");
    }
    this.access = pair.accessToken;
    await this.store.setRefreshToken(pair.refreshToken);
    this.emit("refreshed");
    return pair.accessToken;
  }

  private emit(reason: AuthChangeReason): void {
    const state: AuthState = { user: this.currentUser, signedIn: this.access !== null, reason };
    for (const listener of [...this.listeners]) {
      try {
        listener(state);
      } catch {
        // A listener's bug must not break the session for the others.
      }
    }
  }
}
