import type { Role } from "@softchat/contracts";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { AppError } from "../http/errors.js";

/** Who is making a request, as proven by an access token. */
export interface Actor {
  userId: string;
  role: Role;
}

export interface TokenService {
  /** Signs a short-lived HS256 access token for the actor. */
  signAccess(actor: Actor): Promise<string>;
  /** Verifies an access token; throws AppError("unauthenticated") when it is missing, expired or forged. */
  verifyAccess(token: string | undefined): Promise<Actor>;
}

const ISSUER = "softchat";
const AUDIENCE = "softchat:access";

export function createTokenService(secret: string, ttlSec: number): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async signAccess(actor) {
      return new SignJWT({ role: actor.role })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(actor.userId)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSec}s`)
        .sign(key);
    },
    async verifyAccess(token) {
      if (!token) throw new AppError("unauthenticated", "Missing access token");
      try {
        // Only HS256 is accepted: `alg: none` and algorithm-confusion tokens fail here.
        const { payload } = await jwtVerify(token, key, {
          algorithms: ["HS256"],
          issuer: ISSUER,
          audience: AUDIENCE,
        });
        const role = payload.role;
        if (typeof payload.sub !== "string" || (role !== "user" && role !== "creator" && role !== "admin")) {
          throw new AppError("unauthenticated", "Invalid access token");
        }
        return { userId: payload.sub, role };
      } catch (err) {
        if (err instanceof AppError) throw err;
        const expired = err instanceof joseErrors.JWTExpired;
        throw new AppError("unauthenticated", expired ? "Access token expired" : "Invalid access token");
      }
    },
  };
}
