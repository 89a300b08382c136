import { SoftchatError } from "../errors.js";
import type { AuthSession } from "../session.js";

/** A `fetch` the SDK can call: the platform's, or one the app supplies (tests, instrumentation, proxies). */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * `true` (default): send the access token, refreshing it first if there is none and once on a 401.
   * `"optional"`: public data, sent with the token when signed in, without one otherwise.
   * `false`: never send it.
   */
  auth?: boolean | "optional";
  signal?: AbortSignal;
  /** Overrides the client's request timeout (ms). */
  timeoutMs?: number;
}

export interface TransportOptions {
  baseUrl: string;
  fetch: FetchFn;
  session: AuthSession;
  timeoutMs: number;
}

/**
 * JSON over fetch with the session's access token. A 401 triggers one refresh (shared with every other
 * request that got a 401 meanwhile) and one retry; any error reply becomes a SoftchatError.
 */
export class HttpTransport {
  private readonly baseUrl: string;
  /** Server clock minus ours, from the `Date` header of the latest reply; null before any reply. */
  private clockOffsetMs: number | null = null;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { session } = this.options;
    if (options.auth === false || (options.auth === "optional" && session.accessToken === null)) {
      return this.parse<T>(await this.send(method, path, options, null));
    }
    let token = session.accessToken ?? (await session.refreshAccessToken(null));
    let res = await this.send(method, path, options, token);
    if (res.status === 401) {
      await res.text().catch(() => "");
      token = await session.refreshAccessToken(token);
      res = await this.send(method, path, options, token);
    }
    return this.parse<T>(res);
  }

  /**
   * The server's clock as best we know it (ms since the epoch): our clock corrected by the `Date` header of
   * the latest reply, accurate to about a second. Used only as a fallback anchor for catching up.
   */
  serverNow(): number {
    return Date.now() + (this.clockOffsetMs ?? 0);
  }

  /** The absolute URL for an API path, with its query string. */
  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) params.set(key, String(value));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    token: string | null,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const controller = new AbortController();
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      return await this.options.fetch(this.url(path, options.query), {
        method,
        headers,
        body,
        signal: controller.signal,
      });
    } catch (err) {
      if (timedOut)
        throw new SoftchatError(0, "timeout", `${method} ${path} timed out after ${timeoutMs} ms`);
      if (options.signal?.aborted) throw err;
      throw new SoftchatError(0, "network_error", `${method} ${path} failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  private async parse<T>(res: Response): Promise<T> {
    const date = Date.parse(res.headers.get("date") ?? "");
    // The header is truncated to the second: +500 ms is the middle of the possible range.
    if (Number.isFinite(date)) this.clockOffsetMs = date + 500 - Date.now();
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    throw errorFromReply(res, json);
  }
}

interface ErrorReply {
  error: { code: string; message?: string; details?: Record<string, unknown> };
}

function isErrorReply(value: unknown): value is ErrorReply {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string"
  );
}

const CODE_BY_STATUS: Record<number, string> = {
  400: "validation_failed",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
  503: "unavailable",
};

function errorFromReply(res: Response, json: unknown): SoftchatError {
  const retryAfter = Number(res.headers.get("retry-after"));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (isErrorReply(json)) {
    const { code, message, details } = json.error;
    return new SoftchatError(res.status, code, message ?? code, details, retryAfterMs);
  }
  const code = CODE_BY_STATUS[res.status] ?? (res.status >= 500 ? "internal_error" : "http_error");
  return new SoftchatError(res.status, code, `HTTP ${res.status}`, undefined, retryAfterMs);
}
