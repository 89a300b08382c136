import type { FastifyReply, FastifyRequest } from "fastify";
import { bearerToken } from "../auth/guard.js";
import type { AppContext } from "../context.js";
import type { App } from "../http/app-type.js";
import { AppError } from "../http/errors.js";
import type { Limiter, LimitResult } from "./limiter.js";
import type { TierName } from "./tiers.js";

/**
 * Writes the X-RateLimit-* headers for `result`, unless the reply already reports a tier with fewer points
 * left: a request counted by several tiers shows the one closest to refusing it.
 * `X-RateLimit-Reset` is the Unix time (seconds) at which the window ends.
 */
export function writeLimitHeaders(reply: FastifyReply, result: LimitResult): void {
  const shown = reply.getHeader("x-ratelimit-remaining");
  if (shown !== undefined && Number(shown) <= result.remaining && result.allowed) return;
  reply.header("x-ratelimit-limit", String(result.limit));
  reply.header("x-ratelimit-remaining", String(result.remaining));
  reply.header("x-ratelimit-reset", String(Math.ceil((Date.now() + result.resetMs) / 1000)));
}

/** Answers 429 `rate_limited` with `Retry-After` (whole seconds) for a spent key. */
export function refuse(reply: FastifyReply, result: LimitResult): never {
  writeLimitHeaders(reply, result);
  const retryAfterSec = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
  reply.header("retry-after", String(retryAfterSec));
  throw new AppError("rate_limited", `Too many requests; try again in ${retryAfterSec} s`, {
    retryAfterMs: result.retryAfterMs,
  });
}

/** Spends one point of `key` on `limiter`, writes the headers, and refuses with 429 once the key is spent. */
export async function enforceLimit(reply: FastifyReply, limiter: Limiter, key: string): Promise<void> {
  const result = await limiter.consume(key);
  if (!result.allowed) refuse(reply, result);
  writeLimitHeaders(reply, result);
}

/** What a tier counts per request: the signed-in user when there is one, else the client IP. */
export type LimitKey = (request: FastifyRequest) => string;

const userOrIp: LimitKey = (request) => (request.actor ? `user:${request.actor.userId}` : `ip:${request.ip}`);

/**
 * A route hook spending one point of `tier` per request, keyed by the signed-in user (put it after
 * `authenticate`) or by the client IP. E.g. `preHandler: [authenticate(ctx.tokens), rateLimitPreHandler(ctx,
 * "payments")]`. Works as an `onRequest` hook too, to refuse before the body is read.
 */
export function rateLimitPreHandler(
  ctx: Pick<AppContext, "rateLimits">,
  tier: TierName,
  keyOf: LimitKey = userOrIp,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const limiter = ctx.rateLimits[tier];
  return async (request, reply) => {
    await enforceLimit(reply, limiter, keyOf(request));
  };
}

/**
 * The tiers every request goes through, before its body is read: `ip` per client IP (the socket's, or
 * X-Forwarded-For's when TRUST_PROXY is set), and `api` per user when it carries a valid access token. Both
 * are counted in the same wait (one Redis round trip rather than two on every request); a request the IP
 * tier refuses gets its point of the user's allowance back. The verified actor is kept on the request so
 * `authenticate` does not verify the token a second time; an invalid token is left for `authenticate` to
 * refuse.
 */
export function installRateLimits(app: App, ctx: Pick<AppContext, "rateLimits" | "tokens">): void {
  const { ip, api } = ctx.rateLimits;
  app.addHook("onRequest", async (request, reply) => {
    if (isWebAppAsset(request)) return;
    const token = bearerToken(request);
    const actor = token ? await ctx.tokens.verifyAccess(token).catch(() => undefined) : undefined;
    const [byIp, byUser] = await Promise.all([
      ip.consume(request.ip),
      actor ? api.consume(actor.userId) : undefined,
    ]);
    if (!byIp.allowed) {
      if (actor && byUser?.allowed) await api.refund(actor.userId);
      refuse(reply, byIp);
    }
    writeLimitHeaders(reply, byIp);
    if (!actor || !byUser) return;
    request.actor = actor;
    if (!byUser.allowed) refuse(reply, byUser);
    writeLimitHeaders(reply, byUser);
  });
}

const SERVER_PREFIXES = ["/api", "/socket.io", "/docs", "/metrics", "/ready", "/health"];

/**
 * GETs of the web app's own files (scripts, styles, icons, client routes answered with index.html). A first
 * visit precaches about 45 of them for offline use; counting them would spend most of a shared IP's
 * per-minute allowance before the user signs in. They are static and cheap to serve.
 */
function isWebAppAsset(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url;
  return !SERVER_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}?`),
  );
}
