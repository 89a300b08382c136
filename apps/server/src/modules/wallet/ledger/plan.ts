import { ASSET_SCALES, formatMinorUnits, MAX_AMOUNT_MINOR } from "@softchat/contracts";
import { AppError } from "../../../platform/http/errors.js";
import { availableOf, balanceOf } from "./accounts.js";
import type { AccountDelta } from "./repo.js";
import type { AccountState, AppliedTransfer, HoldState, LedgerOp, OpOutcome, TransferSpec } from "./types.js";

/** A transfer spec with its accounts looked up by key (the system shard already chosen). */
export interface ResolvedSpec {
  spec: TransferSpec;
  id: string;
  debitKey: string;
  creditKey: string;
}

/** An operation ready to be planned: its transfers resolved to account keys, or the reason it cannot be. */
export type ResolvedOp = { op: LedgerOp; specs: ResolvedSpec[]; invalid?: AppError };

/** The accounts and holds of a batch, locked, as the plan moves them. */
export interface Book {
  byKey: Map<string, AccountState>;
  byId: Map<string, AccountState>;
  holds: Map<string, HoldState>;
}

/** Everything a batch writes: one UPDATE of accounts, one INSERT of transfers, the holds opened and ended. */
export interface Plan {
  outcomes: OpOutcome[];
  transfers: AppliedTransfer[];
  deltas: Map<string, AccountDelta>;
  newHolds: { transferId: string; expiresAt: Date | null }[];
  endedHolds: { transferId: string; status: "posted" | "voided" | "expired"; postedAmount: bigint | null }[];
  /** Final state of every user account the batch changed. */
  changedUsers: Map<string, AccountState>;
}

/** Decides, for one operation after another, whether it may happen; an admission hook (KYC) runs last. */
export type Admit = (index: number) => AppError | null;

interface Leg {
  debit: AccountState;
  credit: AccountState;
  transfer: AppliedTransfer;
  /** How the four totals move: posted, pending (+ open, - release). */
  posted: bigint;
  pending: bigint;
}

/**
 * Plans a batch in memory, in order: each operation is checked against the balances left by the ones
 * before it, so the batch is equivalent to running its operations one by one. A refused operation leaves
 * no trace; the others are unaffected.
 */
export function planOperations(resolved: ResolvedOp[], book: Book, admit?: Admit): Plan {
  const plan: Plan = {
    outcomes: [],
    transfers: [],
    deltas: new Map(),
    newHolds: [],
    endedHolds: [],
    changedUsers: new Map(),
  };
  resolved.forEach((r, index) => {
    try {
      if (r.invalid) throw r.invalid;
      const legs = legsOf(r, book);
      const deltas = sumLegs(legs);
      for (const [id, d] of deltas) checkFunds(book, id, d);
      const refusal = admit?.(index);
      if (refusal) throw refusal;
      commitOp(plan, book, r, legs, deltas);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      plan.outcomes.push({ ok: false, error: err });
    }
  });
  return plan;
}

function legsOf(r: ResolvedOp, book: Book): Leg[] {
  const { op } = r;
  if (op.type === "transfers") {
    if (r.specs.length === 0)
      throw new AppError("validation_failed", "An operation needs at least one transfer");
    return r.specs.map((s) => specLeg(op.operationId, s, book));
  }
  const hold = book.holds.get(op.holdId);
  if (!hold) throw new AppError("not_found", "Hold not found");
  if (hold.status !== "pending") throw new AppError("conflict", `The hold is already ${hold.status}`);
  const debit = book.byId.get(hold.debitAccountId);
  const credit = book.byId.get(hold.creditAccountId);
  if (!debit || !credit) throw new Error(`accounts of hold ${hold.transferId} were not locked`);
  const transfer = (amount: bigint, flags: "post" | "void", metadata: AppliedTransfer["metadata"]) => ({
    id: crypto.randomUUID(),
    operationId: op.operationId,
    debit,
    credit,
    asset: hold.asset,
    amount,
    kind: hold.kind,
    flags,
    pendingId: hold.transferId,
    expiresAt: null,
    metadata,
  });
  if (op.type === "post") {
    if (hold.expired) throw new AppError("conflict", "The hold has expired");
    const amount = op.amount ?? hold.amount;
    if (amount <= 0n || amount > hold.amount) {
      throw new AppError("invalid_amount", "A hold can be posted for more than zero and at most its amount");
    }
    return [
      {
        debit,
        credit,
        transfer: transfer(amount, "post", op.metadata ?? null),
        posted: amount,
        pending: -hold.amount,
      },
    ];
  }
  return [
    { debit, credit, transfer: transfer(hold.amount, "void", null), posted: 0n, pending: -hold.amount },
  ];
}

function specLeg(operationId: string, s: ResolvedSpec, book: Book): Leg {
  const { spec } = s;
  if (spec.amount <= 0n || spec.amount > MAX_AMOUNT_MINOR) {
    throw new AppError("invalid_amount", "A transfer amount must be positive and at most 10^30 minor units");
  }
  if (s.debitKey === s.creditKey) throw new AppError("self_transfer", "An account cannot pay itself");
  const debit = book.byKey.get(s.debitKey);
  // A user account that does not exist yet holds nothing.
  if (!debit) throw insufficient(spec.asset, 0n);
  const credit = book.byKey.get(s.creditKey);
  if (!credit) throw new AppError("not_found", "The receiving account does not exist");
  const pending = spec.pending !== undefined;
  const transfer: AppliedTransfer = {
    id: s.id,
    operationId,
    debit,
    credit,
    asset: spec.asset,
    amount: spec.amount,
    kind: spec.kind,
    flags: pending ? "pending" : "posted",
    pendingId: null,
    expiresAt: spec.pending?.expiresAt ?? null,
    metadata: spec.metadata ?? null,
  };
  return pending
    ? { debit, credit, transfer, posted: 0n, pending: spec.amount }
    : { debit, credit, transfer, posted: spec.amount, pending: 0n };
}

function emptyDelta(id: string): AccountDelta {
  return { id, debitsPosted: 0n, creditsPosted: 0n, debitsPending: 0n, creditsPending: 0n };
}

function sumLegs(legs: Leg[]): Map<string, AccountDelta> {
  const deltas = new Map<string, AccountDelta>();
  const at = (id: string) => {
    const d = deltas.get(id) ?? emptyDelta(id);
    deltas.set(id, d);
    return d;
  };
  for (const leg of legs) {
    const debit = at(leg.debit.id);
    debit.debitsPosted += leg.posted;
    debit.debitsPending += leg.pending;
    const credit = at(leg.credit.id);
    credit.creditsPosted += leg.posted;
    credit.creditsPending += leg.pending;
  }
  return deltas;
}

/** A user account must keep credits - debits - held debits >= 0 once the whole operation is applied. */
function checkFunds(book: Book, id: string, d: AccountDelta): void {
  const account = book.byId.get(id);
  if (!account || account.userId === null) return;
  const before = availableOf(account);
  const after = before + d.creditsPosted - d.debitsPosted - d.debitsPending;
  if (after < 0n) throw insufficient(account.asset, before);
}

function insufficient(asset: AccountState["asset"], available: bigint): AppError {
  return new AppError("insufficient_funds", `Not enough ${asset} available`, {
    asset,
    available: formatMinorUnits(available < 0n ? 0n : available, ASSET_SCALES[asset]),
  });
}

function commitOp(plan: Plan, book: Book, r: ResolvedOp, legs: Leg[], deltas: Map<string, AccountDelta>) {
  const touchedUsers: AccountState[] = [];
  for (const [id, d] of deltas) {
    const account = book.byId.get(id);
    if (!account) continue;
    account.debitsPosted += d.debitsPosted;
    account.creditsPosted += d.creditsPosted;
    account.debitsPending += d.debitsPending;
    account.creditsPending += d.creditsPending;
    const total = plan.deltas.get(id) ?? emptyDelta(id);
    total.debitsPosted += d.debitsPosted;
    total.creditsPosted += d.creditsPosted;
    total.debitsPending += d.debitsPending;
    total.creditsPending += d.creditsPending;
    plan.deltas.set(id, total);
    if (account.userId !== null) {
      touchedUsers.push(account);
      plan.changedUsers.set(id, account);
    }
  }
  const { op } = r;
  for (const leg of legs) {
    plan.transfers.push(leg.transfer);
    if (leg.transfer.flags === "pending") {
      plan.newHolds.push({ transferId: leg.transfer.id, expiresAt: leg.transfer.expiresAt });
    }
  }
  if (op.type !== "transfers") {
    const hold = book.holds.get(op.holdId);
    const status = op.type === "post" ? "posted" : op.expired ? "expired" : "voided";
    if (hold) hold.status = status;
    const postedAmount = op.type === "post" ? (legs[0]?.posted ?? null) : null;
    plan.endedHolds.push({ transferId: op.holdId, status, postedAmount });
  }
  plan.outcomes.push({
    ok: true,
    operationId: op.operationId,
    transfers: legs.map((l) => l.transfer),
    balances: touchedUsers.map(balanceOf),
  });
}
