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
import { auditActorOf } from "../../platform/audit/index.js";
import { actorOf, authenticate } from "../../platform/auth/guard.js";
import type { App } from "../../platform/http/app-type.js";
import { idempotencyKeyOf, runIdempotent, sendIdempotent } from "../../platform/idempotency/index.js";
import { rateLimitPreHandler } from "../../platform/ratelimit/index.js";
import { requestDeposit } from "./deposits.js";
import { getBalances, getDepositAddresses, getTransactions } from "./queries.js";
import type { Wallet } from "./runtime.js";
import { sendTransfer } from "./transfers.js";
import { requestWithdrawal } from "./withdrawals.js";

const tags = ["wallet"];

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
    async (request, reply) => {
      const actor = actorOf(request);
      const { userId } = request.params;
      const result = await runIdempotent(
        ctx,
        idempotencyKeyOf(request),
        { userId: actor.userId, scope: "wallet.transfer", request: { userId, body: request.body } },
        (claim) => sendTransfer(wallet, actor, auditActorOf(request), userId, request.body, claim),
      );
      return sendIdempotent(reply, result);
    },
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
    async (request, reply) => {
      const actor = actorOf(request);
      const { userId } = request.params;
      const result = await runIdempotent(
        ctx,
        idempotencyKeyOf(request),
        { userId: actor.userId, scope: "wallet.deposit", request: { userId, body: request.body } },
        (claim) => requestDeposit(ctx, actor, auditActorOf(request), userId, request.body, claim),
      );
      return sendIdempotent(reply, result);
    },
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
    async (request, reply) => {
      const actor = actorOf(request);
      const { userId } = request.params;
      const result = await runIdempotent(
        ctx,
        idempotencyKeyOf(request),
        { userId: actor.userId, scope: "wallet.withdrawal", request: { userId, body: request.body } },
        (claim) => requestWithdrawal(wallet, actor, auditActorOf(request), userId, request.body, claim),
      );
      return sendIdempotent(reply, result);
    },
  );
}
