import {
  balancesReplySchema,
  depositAddressesReplySchema,
  depositBodySchema,
  depositReplySchema,
  transactionsQuerySchema,
  transferBodySchema,
  transferReplySchema,
  walletParamsSchema,
  walletTransactionPageSchema,
  withdrawalBodySchema,
  withdrawalReplySchema,
} from "@softchat/contracts";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type AuditActor, auditActorOf } from "../../platform/audit/index.js";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { App } from "../../platform/http/app-type.js";
import {
  type IdempotencyClaim,
  idempotencyKeyOf,
  runIdempotent,
  type StoredResponse,
  sendIdempotent,
} from "../../platform/idempotency/index.js";
import { rateLimitPreHandler } from "../../platform/ratelimit/index.js";
import { requestDeposit } from "./deposits.js";
import { getBalances, getDepositAddresses, getTransactions } from "./queries.js";
import type { Wallet } from "./runtime.js";
import { sendTransfer } from "./transfers.js";
import { requestWithdrawal } from "./withdrawals.js";

const tags = ["wallet"];

/** A wallet money service: decides for `actor` on `userId`'s wallet, writing its response through `claim`. */
type MoneyService<Body> = (
  actor: Actor,
  audit: AuditActor,
  userId: string,
  body: Body,
  claim: IdempotencyClaim,
) => Promise<StoredResponse>;

/**
 * Answers a wallet money POST: runs `service` at most once per (user, Idempotency-Key) within `scope`, and
 * sends its first response (a replay is marked `Idempotent-Replayed: true`).
 */
async function answerMoneyPost<Body>(
  ctx: Wallet["ctx"],
  request: FastifyRequest & { params: { userId: string }; body: Body },
  reply: FastifyReply,
  scope: string,
  service: MoneyService<Body>,
): Promise<FastifyReply> {
  const actor = actorOf(request);
  const { userId } = request.params;
  const result = await runIdempotent(
    ctx,
    idempotencyKeyOf(request),
    { userId: actor.userId, scope, request: { userId, body: request.body } },
    (claim) => service(actor, auditActorOf(request), userId, request.body, claim),
  );
  return sendIdempotent(reply, result);
}

/** The wallet's HTTP routes (API.md "Wallet"): thin, every decision is in the services. */
export function registerWalletRoutes(app: App, wallet: Wallet): void {
  const { ctx } = wallet;
  const auth = authenticate(ctx.tokens);
  const payments = [auth, rateLimitPreHandler(ctx, "payments")];

  app.get(
    "/api/wallet/:userId/balance",
    {
      schema: { params: walletParamsSchema, response: { 200: balancesReplySchema }, tags },
      preHandler: auth,
    },
    async (request) => ({ balances: await getBalances(ctx, actorOf(request), request.params.userId) }),
  );

  app.get(
    "/api/wallet/:userId/transactions",
    {
      schema: {
        params: walletParamsSchema,
        querystring: transactionsQuerySchema,
        response: { 200: walletTransactionPageSchema },
        tags,
      },
      preHandler: auth,
    },
    async (request) => getTransactions(ctx, actorOf(request), request.params.userId, request.query),
  );

  app.get(
    "/api/wallet/:userId/addresses",
    {
      schema: { params: walletParamsSchema, response: { 200: depositAddressesReplySchema }, tags },
      preHandler: auth,
    },
    async (request) => ({ items: await getDepositAddresses(ctx, actorOf(request), request.params.userId) }),
  );

  app.post(
    "/api/wallet/:userId/transfer",
    {
      schema: {
        params: walletParamsSchema,
        body: transferBodySchema,
        response: { 201: transferReplySchema },
        tags,
      },
      preHandler: auth,
    },
    async (request, reply) =>
      answerMoneyPost(ctx, request, reply, "wallet.transfer", (...args) => sendTransfer(wallet, ...args)),
  );

  app.post(
    "/api/wallet/:userId/deposits",
    {
      schema: {
        params: walletParamsSchema,
        body: depositBodySchema,
        response: { 201: depositReplySchema },
        tags,
      },
      preHandler: payments,
    },
    async (request, reply) =>
      answerMoneyPost(ctx, request, reply, "wallet.deposit", (...args) => requestDeposit(ctx, ...args)),
  );

  app.post(
    "/api/wallet/:userId/withdrawals",
    {
      schema: {
        params: walletParamsSchema,
        body: withdrawalBodySchema,
        response: { 201: withdrawalReplySchema },
        tags,
      },
      preHandler: payments,
    },
    async (request, reply) =>
      answerMoneyPost(ctx, request, reply, "wallet.withdrawal", (...args) =>
        requestWithdrawal(wallet, ...args),
      ),
  );
}
