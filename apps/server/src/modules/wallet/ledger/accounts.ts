import type { Asset } from "@softchat/contracts";
import { type AccountRef, type AccountState, type BalanceState, SYSTEM_SHARDS } from "./types.js";

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** The lookup key of a user's account in an asset. */
export function userAccountKey(userId: string, asset: Asset): string {
  return `u:${userId.toLowerCase()}:${asset}`;
}

/** The lookup key of one shard of a system account. */
export function systemAccountKey(name: string, asset: Asset, shard: number): string {
  return `s:${name}:${asset}:${shard}`;
}

/**
 * The key of the account `ref` names; a system account gets a shard (random unless given) so hot accounts
 * spread out.
 */
export function keyOf(ref: AccountRef, asset: Asset, shard = randomShard()): string {
  if ("userId" in ref) return userAccountKey(ref.userId, asset);
  return systemAccountKey(ref.system, asset, shard);
}

export function randomShard(): number {
  return Math.floor(Math.random() * SYSTEM_SHARDS);
}

/** The columns of a new account, from its key. */
export function accountFromKey(key: string): {
  key: string;
  userId: string | null;
  systemName: string | null;
  shard: number;
  asset: Asset;
} {
  if (key.startsWith("u:")) {
    const [, userId = "", asset = ""] = key.split(":");
    return { key, userId, systemName: null, shard: 0, asset: asset as Asset };
  }
  // System names contain ':' (clearing:stripe), so read the asset and shard from the end.
  const parts = key.split(":");
  const shard = Number(parts.pop());
  const asset = parts.pop() as Asset;
  return { key, userId: null, systemName: parts.slice(1).join(":"), shard, asset };
}

export function availableOf(a: AccountState): bigint {
  return a.creditsPosted - a.debitsPosted - a.debitsPending;
}

/** A user account's balance: `available` excludes held funds, `pending` is what is held. */
export function balanceOf(a: AccountState): BalanceState {
  const available = availableOf(a);
  return {
    userId: a.userId ?? "",
    asset: a.asset,
    available,
    pending: a.debitsPending,
    total: available + a.debitsPending,
  };
}
