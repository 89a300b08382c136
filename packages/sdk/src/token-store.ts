/**
 * Where the refresh token lives. The access token never goes here: the SDK keeps it in memory only. The app
 * chooses the trade-off: memory (gone on reload), sessionStorage (one tab), localStorage, a secure keychain.
 */
export interface TokenStore {
  getRefreshToken(): string | null | Promise<string | null>;
  /** Stores the rotated token, or forgets it with `null` (sign-out, revoked family). */
  setRefreshToken(token: string | null): void | Promise<void>;
}

/** The default store: the refresh token is kept in memory and gone when the page or process goes. */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    getRefreshToken: () => token,
    setRefreshToken: (next) => {
      token = next;
    },
  };
}

/** The part of the Web Storage API (localStorage, sessionStorage) the SDK uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Keeps the refresh token in a Web Storage object, e.g. `webStorageTokenStore(sessionStorage)`. */
export function webStorageTokenStore(storage: KeyValueStorage, key = "softchat.refreshToken"): TokenStore {
  return {
    getRefreshToken: () => storage.getItem(key),
    setRefreshToken: (token) => {
      if (token === null) storage.removeItem(key);
      else storage.setItem(key, token);
    },
  };
}
