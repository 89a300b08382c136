import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import type { App } from "./app-type.js";

/**
 * Swagger UI needs a little more than the web app's CSP: images from https (logos in descriptions) and
 * framing by itself (its OAuth redirect page). Still no inline or remote script.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'self'",
].join("; ");

/**
 * `/docs` (Swagger UI) and `/docs/json` (OpenAPI 3), generated from the zod schemas of the routes, never
 * written by hand. Must be registered before the modules: it learns routes as they are added. Every route
 * is documented as taking a bearer token; a public route says so with `schema: { security: [] }`, and a
 * route hides itself with `schema: { hide: true }`.
 */
export async function registerDocs(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "Softchat API",
        description:
          "Chat, presence, notifications, wallet and trading. Errors are `{ error: { code, message, details } }`.",
        version: "1.0.0",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    staticCSP: DOCS_CSP,
    uiConfig: { deepLinking: true, persistAuthorization: false },
  });
}
