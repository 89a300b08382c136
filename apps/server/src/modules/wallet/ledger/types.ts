import type { Asset, TransferKind } from "@softchat/contracts";
import type { AppError } from "../../../platform/http/errors.js";

/** Softchat's own accounts. Clearing accounts mirror money outside (at a provider) and may go negative. */
export const SYSTEM_ACCOUNTS = [
  "fees",
  "rewards_pool",
  "escrow",
  "exchange_settlement",
  "clearing:sandbox",
  "clearing:stripe",
  "clearing:coinbase",
] as const;
export type SystemAccountName = (typeof SYSTEM_ACCOUNTS)[number];

/** Shards per system account and asset; the balance of a system account is the sum of its shards. */
export const SYSTEM_SHARDS = 16;

/** An account named by its owner: a user's account in the asset of the transfer, or a system account. */
export type AccountRef = { userId: string } | { system: SystemAccountName };

/** One movement: debit `from`, credit `to`, same asset, same amount. */
export interface TransferSpec {
  from: AccountRef;
  to: AccountRef;
  asset: Asset;
  /** Minor units, > 0. */
  amount: bigint;
  kind: TransferKind;
  metadata?: Record<string, unknown>;
  /** Makes it a hold: the funds are reserved now and posted (in full or in part) or voided later. */
  pending?: { expiresAt?: Date };
  /** A client-chosen id (random when absent). */
  id?: string;
}

/** A unit of work the ledger applies entirely or not at all. */
export type LedgerOp =
  | { type: "transfers"; operationId: string; transfers: TransferSpec[] }
  | { type: "post"; operationId: string; holdId: string; amount?: bigint; metadata?: Record<string, unknown> }
  | { type: "void"; operationId: string; holdId: string; expired?: boolean };

/** An account as stored, with its running totals. */
export interface AccountState {
  id: string;
  key: string;
  userId: string | null;
  systemName: string | null;
  asset: Asset;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

/** A user's balance in one asset, in minor units. */
export interface BalanceState {
  userId: string;
  asset: Asset;
  available: bigint;
  pending: bigint;
  total: bigint;
}

/** A transfer as written. */
export interface AppliedTransfer {
  id: string;
  operationId: string;
  debit: AccountState;
  credit: AccountState;
  asset: Asset;
  amount: bigint;
  kind: TransferKind;
  flags: "posted" | "pending" | "post" | "void";
  pendingId: string | null;
  expiresAt: Date | null;
  metadata: Record<string, unknown> | null;
}

/** What one operation did, or why it was refused (the rest of its batch is unaffected). */
export type OpOutcome =
  | {
      ok: true;
      operationId: string;
      transfers: AppliedTransfer[];
      /** Every user balance the operation changed, as it stands right after the operation. */
      balances: BalanceState[];
    }
  | { ok: false; error: AppError };

/** A hold as stored: its pending transfer and how it ended. */
export interface HoldState {
  transferId: string;
  operationId: string;
  debitAccountId: string;
  creditAccountId: string;
  asset: Asset;
  amount: bigint;
  kind: TransferKind;
  status: "pending" | "posted" | "voided" | "expired";
  expired: boolean;
  metadata: Record<string, unknown> | null;
}
