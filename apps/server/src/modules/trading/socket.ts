import { clientEventSchemas, socketRooms } from "@softchat/contracts";
import type { AppContext } from "../../platform/context.js";
import { marketPair, orderbookSnapshot } from "./market.js";
import type { Trading } from "./runtime.js";

/**
 * `join_trading_room {pairId}` joins `trading:{pairId}` and acknowledges the order book snapshot; the
 * `orderbook_update` deltas that follow continue from its `seq`. The room is joined BEFORE the snapshot is
 * read, so no delta can fall between them (one that the snapshot already holds is harmless: quantities are
 * absolute). `leave_trading_room` leaves it. Market data is public to any signed-in socket.
 */
export function registerTradingSocketHandlers(ctx: Pick<AppContext, "realtime">, trading: Trading): void {
  ctx.realtime.handle(
    "join_trading_room",
    clientEventSchemas.join_trading_room,
    async (socket, { pairId }) => {
      marketPair(trading, pairId);
      await socket.join(socketRooms.tradingPair(pairId));
      return orderbookSnapshot(trading, pairId);
    },
  );
  ctx.realtime.handle(
    "leave_trading_room",
    clientEventSchemas.leave_trading_room,
    async (socket, { pairId }) => {
      await socket.leave(socketRooms.tradingPair(pairId));
      return { pairId };
    },
  );
}
