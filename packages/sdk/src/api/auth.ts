import type { LoginBody, RegisterBody, Session, TokenPair, User } from "@softchat/contracts";
import { isAuthFailure } from "../errors.js";
import type { HttpTransport } from "../http/transport.js";
import type { AuthSession } from "../session.js";

/** Sign-up, sign-in, session restore and sign-out (`/api/auth/*`). */
export class AuthApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly session: AuthSession,
  ) {}

  /** The signed-in user, if known. */
  get user(): User | null {
    return this.session.user;
  }

  /**
   * The current access token (memory only), for the rare call the SDK does not make itself, such as an
   * upload. Null when signed out or not yet refreshed.
   */
  get accessToken(): string | null {
    return this.session.accessToken;
  }

  /** Creates an account and signs in with it. */
  async register(body: RegisterBody): Promise<User> {
    const reply = await this.http.request<Session>("POST", "/api/auth/register", { body, auth: false });
    await this.session.signIn(reply);
    return reply.user;
  }

  /** Signs in with email and password. */
  async login(body: LoginBody): Promise<User> {
    const reply = await this.http.request<Session>("POST", "/api/auth/login", { body, auth: false });
    await this.session.signIn(reply);
    return reply.user;
  }

  /** Starts a session from tokens obtained elsewhere (a native shell, a test, a benchmark). */
  async signInWithTokens(tokens: { accessToken: string; refreshToken?: string | null; user?: User | null }) {
    await this.session.signIn(tokens);
  }

  /** Exchanges the stored refresh token for a new pair now (the SDK also does this by itself on a 401). */
  async refresh(): Promise<void> {
    await this.session.refreshAccessToken(this.session.accessToken);
  }

  /** The signed-in user from the server; also refreshes `user`. */
  async me(): Promise<User> {
    const { user } = await this.http.request<{ user: User }>("GET", "/api/auth/me");
    this.session.setUser(user);
    return user;
  }

  /**
   * Resumes a session from the token store (e.g. after a page reload): the user, or null when there is no
   * session to resume or the server refused it. Network failures are thrown so the app can retry.
   */
  async restore(): Promise<User | null> {
    if (this.session.accessToken === null && !(await this.session.refreshToken())) return null;
    try {
      return await this.me();
    } catch (err) {
      if (isAuthFailure(err)) return null;
      throw err;
    }
  }

  /**
   * Revokes the refresh token on the server and forgets the session here. The local sign-out happens even
   * when the server cannot be reached: leaving the user signed in on this device would be worse.
   */
  async logout(): Promise<void> {
    const refreshToken = await this.session.refreshToken();
    try {
      if (refreshToken) {
        await this.http.request<void>("POST", "/api/auth/logout", { body: { refreshToken }, auth: false });
      }
    } catch {
      // Revocation is best effort; the token expires on its own.
    } finally {
      await this.session.signOut();
    }
  }
}

/** The refresh call the session makes; no access token involved. */
export function refreshWith(http: HttpTransport) {
  return (refreshToken: string): Promise<TokenPair> =>
    http.request<TokenPair>("POST", "/api/auth/refresh", { body: { refreshToken }, auth: false });
}
