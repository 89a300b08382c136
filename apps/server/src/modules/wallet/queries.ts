import { randomBytes } from "node:crypto";
import {
  ASSET_NETWORKS,
  type Balance,
  type DepositAddress,
  type Page,
  type TransactionsQuery,
  type WalletTransaction,
} from "@softchat/contracts";
import { assertSelfOrAdmin } from "../../platform/auth/guard.js";
import type { Actor } from "../../platform/auth/tokens.js";
import type { AppContext } from "../../platform/context.js";
import { AppError } from "../../platform/http/errors.js";
import { getUserState } from "../auth/user-directory.js";
import { type Asset, parseAsset } from "./assets.js";
import { balances } from "./ledger/index.js";
import { presentBalance, presentHistory } from "./presenters.js";
import { type AddressRow, depositAddresses, insertDepositAddresses, listHistory } from "./repo.js";

type ReadContext = Pick<AppContext, "db">;

async function assertUser(ctx: ReadContext, actor: Actor, userId: string): Promise<void> {
  assertSelfOrAdmin(actor, userId);
  if (!(await getUserState(ctx.db, userId))) throw new AppError("not_found", "User not found");
}

/** A user's balance in every asset: available (spendable), pending (held), total. */
export async function getBalances(ctx: ReadContext, actor: Actor, userId: string): Promise<Balance[]> {
  await assertUser(ctx, actor, userId);
  return (await balances(ctx.db, userId)).map(presentBalance);
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const seq = Buffer.from(cursor, "base64url").toString("utf8");
  if (!/^\d{1,19}$/.test(seq)) {
    throw new AppError("validation_failed", "Invalid cursor", {
      fields: [{ path: "querystring.cursor", message: "not a cursor this API returned" }],
    });
  }
  return seq;
}

/** A user's history, newest first, filtered by asset and type, a page at a time. */
export async function getTransactions(
  ctx: ReadContext,
  actor: Actor,
  userId: string,
  query: TransactionsQuery,
): Promise<Page<WalletTransaction>> {
  await assertUser(ctx, actor, userId);
  const beforeSeq = decodeCursor(query.cursor);
  const rows = await listHistory(ctx.db, userId, {
    ...(query.asset ? { asset: parseAsset(query.asset) } : {}),
    ...(query.type ? { kind: query.type } : {}),
    ...(beforeSeq ? { beforeSeq } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(presentHistory),
    nextCursor: rows.length > query.limit && last ? Buffer.from(last.seq).toString("base64url") : null,
  };
}

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** A fresh sandbox address in the network's usual shape (bech32-looking for Bitcoin, 0x-hex otherwise). */
function newAddress(asset: Asset): string {
  if (asset === "BTC") {
    return `bc1q${[...randomBytes(38)].map((b) => BECH32[b % 32]).join("")}`;
  }
  return `0x${randomBytes(20).toString("hex")}`;
}

/**
 * One deposit address per crypto asset for the user, created on first request and never changed after:
 * the stored row wins if two requests race, and addresses are unique across users.
 */
export async function getDepositAddresses(
  ctx: ReadContext,
  actor: Actor,
  userId: string,
): Promise<DepositAddress[]> {
  await assertUser(ctx, actor, userId);
  const wanted = Object.entries(ASSET_NETWORKS) as [Asset, string][];
  let rows = await depositAddresses(ctx.db, userId);
  const have = new Set(rows.map((r) => r.asset));
  const missing: AddressRow[] = wanted
    .filter(([asset]) => !have.has(asset))
    .map(([asset, network]) => ({ asset, network, address: newAddress(asset) }));
  if (missing.length > 0) {
    await insertDepositAddresses(ctx.db, userId, missing);
    rows = await depositAddresses(ctx.db, userId);
  }
  return rows.map((r) => ({ asset: r.asset, network: r.network, address: r.address }));
}
