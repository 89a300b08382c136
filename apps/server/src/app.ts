import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { modules, type SoftchatModule } from "./modules/index.js";
import type { AppContext } from "./platform/context.js";
import type { App } from "./platform/http/app-type.js";
import { registerDocs } from "./platform/http/docs.js";
import { installErrorHandler } from "./platform/http/error-handler.js";
import { registerHealth } from "./platform/http/health.js";
import { registerMetrics } from "./platform/http/metrics-route.js";
import { registerSecurity } from "./platform/http/security.js";
import { registerTestRoutes } from "./platform/http/test-routes.js";

export interface BuildAppOptions {
  /** Modules to register; defaults to all of them. */
  modules?: SoftchatModule[];
}

/** Builds the HTTP app on a ready platform. Does not listen. */
export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.BODY_LIMIT_BYTES,
    trustProxy: ctx.config.TRUST_PROXY,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  installErrorHandler(app);
  acceptEmptyJsonBodies(app);
  await registerSecurity(app, ctx.config);
  // Before any route: swagger learns the routes as they are added.
  await registerDocs(app);
  registerMetrics(app, ctx.metrics);
  registerHealth(app, ctx);
  if (ctx.config.NODE_ENV === "test" && ctx.config.TEST_ROUTES) registerTestRoutes(app);
  for (const mod of options.modules ?? modules) await mod.register(app, ctx);
  return app;
}

/**
 * Many HTTP clients send `Content-Type: application/json` on every request, a DELETE or a bodiless POST
 * included. Fastify refuses such an empty body as malformed JSON, so a cancel answered 400 "The request is
 * not valid" with nothing wrong in it. An empty body now parses as no body: a route that needs one still
 * refuses it, through its schema, naming the missing field. Non-empty bodies keep Fastify's own parser, with
 * its refusal of `__proto__` and `constructor.prototype` keys.
 */
function acceptEmptyJsonBodies(app: App): void {
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = typeof body === "string" ? body : body.toString("utf8");
    if (text === "") {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
}
