import { createHmac, timingSafeEqual } from "node:crypto";
import type { Role } from "@softchat/contracts";
import { SignJWT } from "jose";
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

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeJson(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

type Verified = { ok: true; payload: Record<string, unknown> } | { ok: false; reason: string };

const INVALID: Verified = { ok: false, reason: "Invalid access token" };

/**
 * Verifies a compact HS256 JWT with node:crypto: the header must say HS256 (so `alg: none` and
 * algorithm-confusion tokens fail), the signature must match in constant time, and the issuer, audience,
 * expiry and not-before claims must hold. Every request carries a token, and jose verifying through
 * WebCrypto cost several times this. Returns the payload, or a reason for refusing it.
 */
function verifyHs256(token: string, secret: Buffer, nowSec: number): Verified {
  const parts = token.split(".");
  const [h, p, sig] = parts;
  if (parts.length !== 3 || !h || !p || !sig || !SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(sig)) {
    return INVALID;
  }
  const header = decodeJson(h);
  if (header?.alg !== "HS256" || header.crit !== undefined) return INVALID;
  const expected = createHmac("sha256", secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return INVALID;
  const payload = decodeJson(p);
  if (payload?.iss !== ISSUER) return INVALID;
  const aud = payload.aud;
  if (aud !== AUDIENCE && !(Array.isArray(aud) && aud.includes(AUDIENCE))) return INVALID;
  if (typeof payload.exp !== "number") return INVALID;
  if (payload.exp <= nowSec) return { ok: false, reason: "Access token expired" };
  if (payload.nbf !== undefined && (typeof payload.nbf !== "number" || payload.nbf > nowSec)) return INVALID;
  return { ok: true, payload };
}

export function createTokenService(secret: string, ttlSec: number): TokenService {
  const key = Buffer.from(secret, "utf8");
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
      const checked = verifyHs256(token, key, Math.floor(Date.now() / 1000));
      if (!checked.ok) throw new AppError("unauthenticated", checked.reason);
      const { payload } = checked;
      const role = payload.role;
      if (typeof payload.sub !== "string" || (role !== "user" && role !== "creator" && role !== "admin")) {
        throw new AppError("unauthenticated", "Invalid access token");
      }
      return { userId: payload.sub, role };
    },
  };
}
