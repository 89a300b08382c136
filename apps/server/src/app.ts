import { randomUUID } from "node:crypto";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { modules, type SoftchatModule } from "./modules/index.js";
import type { AppContext } from "./platform/context.js";
import type { App } from "./platform/http/app-type.js";
import { registerDocs } from "./platform/http/docs.js";
import { installErrorHandler } from "./platform/http/error-handler.js";
import { registerHealth } from "./platform/http/health.js";
import { acceptEmptyJsonBodies } from "./platform/http/json-body.js";
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
