import fastifyStatic from "@fastify/static";
import type { FastifyReply } from "fastify";
import type { SoftchatModule } from "../index.js";
import { locateWebDist } from "./dist-dir.js";
import { isImmutableAsset, isReservedPath, looksLikeFile, resolveStaticFile } from "./spa-routing.js";

const ONE_YEAR_SEC = 365 * 24 * 3600;

/**
 * Serves the built web app at `/` with a single-page-app fallback: a client route such as `/chat/123`
 * answers index.html, while `/api/*`, `/docs`, `/socket.io`, `/health`, `/ready` and `/metrics` keep their
 * own routes and JSON 404s. Registered last so every other module's routes exist before the catch-all.
 */
export const webModule: SoftchatModule = {
  name: "web",
  async register(app, ctx) {
    const root = locateWebDist(ctx.config.WEB_DIST_DIR);
    if (!root) {
      ctx.logger.warn(
        { WEB_DIST_DIR: ctx.config.WEB_DIST_DIR },
        "web app not built (run `npm run build`); serving the API only",
      );
      app.get("/", { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type("text/plain; charset=utf-8")
          .send("Softchat API is running. The web app is not built: run `npm run build`.\n"),
      );
      return;
    }
    ctx.logger.info({ root }, "serving the web app");
    await app.register(fastifyStatic, { root, serve: false, dotfiles: "ignore" });

    const sendIndex = (reply: FastifyReply) =>
      reply.header("cache-control", "no-cache").sendFile("index.html", { cacheControl: false });

    app.get("/*", { schema: { hide: true } }, async (request, reply) => {
      let pathname: string;
      try {
        pathname = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
      } catch {
        return reply.callNotFound();
      }
      if (isReservedPath(pathname)) return reply.callNotFound();
      const file = resolveStaticFile(root, pathname);
      if (file === "index.html") return sendIndex(reply);
      if (file) {
        if (isImmutableAsset(file)) {
          return reply.sendFile(file, { maxAge: ONE_YEAR_SEC * 1000, immutable: true });
        }
        return reply.header("cache-control", "no-cache").sendFile(file, { cacheControl: false });
      }
      if (looksLikeFile(pathname)) return reply.callNotFound();
      return sendIndex(reply);
    });
  },
};
