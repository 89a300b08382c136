import { z } from "zod";
import type { App } from "./app-type.js";

/**
 * Routes only the test suite uses, registered when NODE_ENV=test and TEST_ROUTES=true: a request that
 * takes as long as asked, so shutdown tests have an in-flight request to wait for.
 */
export function registerTestRoutes(app: App): void {
  app.get(
    "/__test/slow",
    { schema: { hide: true, querystring: z.object({ ms: z.coerce.number().int().min(0).max(30_000) }) } },
    async (request) => {
      await new Promise((resolve) => setTimeout(resolve, request.query.ms));
      return { waitedMs: request.query.ms };
    },
  );
}
