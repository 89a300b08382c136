import type { Balance } from "@softchat/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useOnResync, useSocketEvent } from "../../app/hooks.js";
import { queryKeys } from "../../app/query-keys.js";

/**
 * Keeps the wallet current without reloads: `balance_update` replaces one asset's line in place, a completed
 * transaction refreshes the history, and after a reconnect the server could not recover both are refetched
 * (updates sent while away are not replayed).
 */
export function useWalletLive(): void {
  const queryClient = useQueryClient();

  useSocketEvent("balance_update", (update) => {
    queryClient.setQueryData<Balance[]>(queryKeys.balances, (balances) => {
      if (!balances) return balances;
      const line: Balance = {
        asset: update.asset,
        available: update.available,
        pending: update.pending,
        total: update.total,
      };
      return balances.some((b) => b.asset === update.asset)
        ? balances.map((b) => (b.asset === update.asset ? line : b))
        : [...balances, line];
    });
  });

  useSocketEvent("transaction_complete", () => {
    void queryClient.invalidateQueries({ queryKey: ["wallet", "transactions"] });
  });
  useSocketEvent("transfer_update", () => {
    void queryClient.invalidateQueries({ queryKey: ["wallet", "transactions"] });
  });

  useOnResync((info) => {
    if (info.via === "reconnect") void queryClient.invalidateQueries({ queryKey: ["wallet"] });
  });
}
