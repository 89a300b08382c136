import type {
  Balance,
  Deposit,
  TransferStatus,
  WalletTransaction,
  WalletTransfer,
  Withdrawal,
} from "@softchat/contracts";
import { formatAmount } from "./assets.js";
import type { BalanceState } from "./ledger/index.js";
import type { DepositRow, HistoryRow, WithdrawalRow } from "./repo.js";

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function presentBalance(b: BalanceState): Balance {
  return {
    asset: b.asset,
    available: formatAmount(b.asset, b.available),
    pending: formatAmount(b.asset, b.pending),
    total: formatAmount(b.asset, b.total),
  };
}

export function presentDeposit(row: DepositRow): Deposit {
  return {
    id: row.id,
    userId: row.user_id,
    asset: row.asset,
    amount: formatAmount(row.asset, BigInt(row.amount)),
    provider: row.provider,
    status: row.status,
    checkoutUrl: row.checkout_url,
    clientSecret: row.client_secret,
    createdAt: new Date(row.created_at).toISOString(),
    settledAt: iso(row.settled_at),
  };
}

export function presentWithdrawal(row: WithdrawalRow): Withdrawal {
  return {
    id: row.id,
    userId: row.user_id,
    asset: row.asset,
    amount: formatAmount(row.asset, BigInt(row.amount)),
    destination: row.destination,
    provider: row.provider,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    settledAt: iso(row.settled_at),
  };
}

export function presentTransfer(t: {
  id: string;
  from: string;
  to: string;
  asset: BalanceState["asset"];
  amount: bigint;
  note: string | null;
  createdAt: Date;
}): WalletTransfer {
  return {
    id: t.id,
    from: t.from,
    to: t.to,
    asset: t.asset,
    amount: formatAmount(t.asset, t.amount),
    fee: formatAmount(t.asset, 0n),
    status: "completed",
    note: t.note,
    createdAt: t.createdAt.toISOString(),
  };
}

function statusOf(row: HistoryRow): TransferStatus {
  if (row.flags === "posted") return "completed";
  switch (row.hold_status) {
    case "posted":
      return "completed";
    case "voided":
      return row.kind === "withdrawal" ? "failed" : "canceled";
    case "expired":
      return "expired";
    default:
      return "pending";
  }
}

export function presentHistory(row: HistoryRow): WalletTransaction {
  const amount = row.hold_status === "posted" && row.posted_amount !== null ? row.posted_amount : row.amount;
  const note = row.metadata?.note;
  return {
    id: row.id,
    operationId: row.operation_id,
    type: row.kind,
    direction: row.outgoing ? "out" : "in",
    asset: row.asset,
    amount: formatAmount(row.asset, BigInt(amount)),
    status: statusOf(row),
    counterpartyId: row.counterparty_id,
    note: typeof note === "string" ? note : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
