import { webhookParamsSchema, webhookReceiptSchema } from "@softchat/contracts";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { auditActorOf } from "../../platform/audit/index.js";
import type { AppContext } from "../../platform/context.js";
import type { App } from "../../platform/http/app-type.js";
import { receiveWebhook } from "./service.js";

/**
 * `POST /api/payments/webhooks/:provider`. Signatures cover the exact bytes sent, so this route's scope
 * keeps every body as a raw Buffer instead of parsing it. No auth: the signature is the credential.
 */
export async function registerPaymentRoutes(app: App, ctx: AppContext): Promise<void> {
  await app.register(async (plugin) => {
    plugin.removeAllContentTypeParsers();
    plugin.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    const scope = plugin.withTypeProvider<ZodTypeProvider>();
    scope.post(
      "/api/payments/webhooks/:provider",
      {
        schema: {
          params: webhookParamsSchema,
          response: { 200: webhookReceiptSchema },
          tags: ["payments"],
          summary: "Payment provider webhook (signed; deduplicated by event id)",
        },
      },
      async (request) => {
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const actor = { ...auditActorOf(request), actorRole: `webhook:${request.params.provider}` };
        return receiveWebhook(ctx, request.params.provider, rawBody, request.headers, actor);
      },
    );
  });
}
