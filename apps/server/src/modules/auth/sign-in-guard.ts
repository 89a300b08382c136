import type { LoginBody, Session } from "@softchat/contracts";
import type { FastifyReply } from "fastify";
import { AppError } from "../../platform/http/errors.js";
import { type RateLimits, refuse, writeLimitHeaders } from "../../platform/ratelimit/index.js";
import { type AuthContext, signIn } from "./service.js";

/**
 * Signs in under the per-account limit: an account whose failed sign-ins have spent the auth tier is
 * refused with 429 (from any IP) until the window ends; only failures count, and a success starts afresh.
 * This is what stops a password being guessed from many IPs at once.
 */
export async function signInGuarded(
  ctx: AuthContext & { rateLimits: RateLimits },
  reply: FastifyReply,
  input: LoginBody,
): Promise<Session> {
  const limiter = ctx.rateLimits.authAccount;
  const account = input.email.trim().toLowerCase();
  const state = await limiter.peek(account);
  if (!state.allowed) refuse(reply, state);
  try {
    const session = await signIn(ctx, input);
    await limiter.reset(account);
    return session;
  } catch (err) {
    if (err instanceof AppError && err.code === "unauthenticated") {
      writeLimitHeaders(reply, await limiter.consume(account));
    }
    throw err;
  }
}
