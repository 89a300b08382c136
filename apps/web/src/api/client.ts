import type { Meta } from "@softchat/contracts";
import { createClient, memoryTokenStore, type TokenStore, webStorageTokenStore } from "@softchat/sdk";

/** The key the refresh token is kept under. */
export const REFRESH_TOKEN_KEY = "softchat.refreshToken";

/**
 * Where the refresh token lives, and why: sessionStorage keeps it for this tab only, so a reload restores
 * the session while closing the tab ends it, and two tabs never race to rotate the same token (a reused
 * refresh token revokes the whole family on the server). A script injected into the page could read it,
 * but such a script could already act as the user while the page is open; the short-lived access token
 * stays in memory only (the SDK never stores it), and rotation with reuse detection bounds what a stolen
 * refresh token is worth. Where storage is disabled, the session lasts as long as the page.
 */
function tabTokenStore(): TokenStore {
  try {
    sessionStorage.getItem(REFRESH_TOKEN_KEY);
    return webStorageTokenStore(sessionStorage, REFRESH_TOKEN_KEY);
  } catch {
    return memoryTokenStore();
  }
}

/** True when this tab kept a session to resume. */
export function hasStoredSession(): boolean {
  try {
    return sessionStorage.getItem(REFRESH_TOKEN_KEY) !== null;
  } catch {
    return false;
  }
}

/** The one Softchat client of the app: REST on the page's own origin, and the live connection. */
export const client = createClient({ baseUrl: "", storage: tabTokenStore() });

/** How this server runs, and its demo accounts in embedded mode. */
export function fetchMeta(): Promise<Meta> {
  return client.request<Meta>("GET", "/api/meta", { auth: false });
}
