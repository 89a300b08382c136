import cors from "@fastify/cors";
import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import Fastify from "fastify";
import type { Config } from "../../config.js";
import type { App } from "./app-type.js";

/**
 * The CSP of the web app served from `/`: its own scripts only (no inline script, no eval), inline styles
 * (React style props), images from data:/blob: URLs (avatars, charts), Socket.IO over ws/wss, the PWA's
 * service worker and manifest, and no framing by anyone.
 */
export const WEB_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'", "ws:", "wss:"],
  workerSrc: ["'self'"],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Headers the browser may read from a cross-origin reply (request ids and rate-limit state). */
const EXPOSED_HEADERS = [
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "retry-after",
];

const HELMET_OPTIONS: FastifyHelmetOptions = {
  // Without defaults: helmet's default `upgrade-insecure-requests` would break a node served over plain
  // http on a LAN address, which embedded mode is.
  contentSecurityPolicy: { useDefaults: false, directives: WEB_CSP_DIRECTIVES },
};

/** Headers any reply carries whether or not helmet ran; not helmet's to set. */
const NOT_HELMETS = new Set(["content-type", "content-length", "date", "connection", "keep-alive"]);

/**
 * The headers helmet sets, computed once on a throwaway instance. @fastify/helmet rebuilds its middleware
 * (re-validating every CSP directive) on each request, tens of microseconds that were most of the cost
 * of a small request; the headers never change, so they are sent as constants instead.
 */
export async function helmetHeaders(
  options: FastifyHelmetOptions = HELMET_OPTIONS,
): Promise<Record<string, string>> {
  const probe = Fastify({ logger: false });
  await probe.register(helmet, options);
  probe.get("/", async () => "");
  const reply = await probe.inject({ method: "GET", url: "/" });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers)) {
    if (!NOT_HELMETS.has(name) && typeof value === "string") headers[name] = value;
  }
  return headers;
}

/**
 * Helmet's security headers with the web app's CSP on every reply (`/docs` replaces it with a looser one
 * of its own, see docs.ts), and CORS for the origins in CORS_ORIGINS only: with none listed, browsers get
 * no cross-origin access at all.
 */
export async function registerSecurity(app: App, config: Pick<Config, "CORS_ORIGINS">): Promise<void> {
  const headers = await helmetHeaders();
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  if (config.CORS_ORIGINS.length === 0) return;
  await app.register(cors, {
    origin: config.CORS_ORIGINS,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "idempotency-key", "x-request-id"],
    exposedHeaders: EXPOSED_HEADERS,
    // Tokens travel in the Authorization header, never in cookies, so credentials stay off.
    credentials: false,
    maxAge: 600,
  });
}
