import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../http/errors.js";
import type { Actor, TokenService } from "./tokens.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by `authenticate`; routes behind it can rely on it. */
    actor?: Actor;
  }
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(" ");
  return scheme?.toLowerCase() === "bearer" && token ? token : undefined;
}

/**
 * Route hook (onRequest or preHandler): requires a valid access token and sets `request.actor`. The request
 * rate limiter has usually verified the token already; only a verified token ever sets `request.actor`.
 */
export function authenticate(tokens: TokenService) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    request.actor ??= await tokens.verifyAccess(bearerToken(request));
  };
}

/** The authenticated actor of a request that went through `authenticate`. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError("unauthenticated", "Sign in first");
  return request.actor;
}

/** Throws 403 unless the actor is `userId` itself or an admin. */
export function assertSelfOrAdmin(actor: Actor, userId: string): void {
  if (actor.userId !== userId && actor.role !== "admin") {
    throw new AppError("forbidden", "You may only act on your own account");
  }
}

/** Throws 403 unless the actor is an admin. */
export function assertAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("forbidden", "Admins only");
}
