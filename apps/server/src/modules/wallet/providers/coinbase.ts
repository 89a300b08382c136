import { ASSET_SCALES, formatMinorUnits } from "@softchat/contracts";
import type { Config } from "../../../config.js";
import { AppError } from "../../../platform/http/errors.js";
import { postToProvider, requireString } from "./provider-http.js";
import type { PaymentProvider } from "./types.js";

/** Crypto assets Coinbase Commerce charges are created for. */
const COINBASE_ASSETS = ["BTC", "ETH", "USDT"] as const;

/**
 * Coinbase Commerce: a deposit creates a charge the user pays on its hosted page; it stays pending until
 * the `charge:confirmed` or `charge:failed` webhook settles it. Payouts are not supported through Coinbase.
 */
export function createCoinbaseProvider(config: Config): PaymentProvider {
  const apiKey = config.COINBASE_COMMERCE_API_KEY ?? "";
  return {
    name: "coinbase",
    async startDeposit({ depositId, userId, asset, amount }) {
      const coinbaseAsset = COINBASE_ASSETS.find((a) => a === asset);
      if (!coinbaseAsset) {
        throw new AppError("validation_failed", "Coinbase takes BTC, ETH and USDT deposits only", {
          fields: [{ path: "body.asset", message: "use BTC, ETH or USDT with Coinbase" }],
        });
      }
      const price = formatMinorUnits(amount, ASSET_SCALES[coinbaseAsset]);
      const reply = await postToProvider({
        provider: "Coinbase Commerce",
        url: new URL("/charges", config.COINBASE_API_URL).toString(),
        headers: {
          "content-type": "application/json",
          "x-cc-api-key": apiKey,
          "x-cc-version": "2018-03-22",
        },
        body: JSON.stringify({
          name: "Softchat deposit",
          description: `Deposit of ${price} ${asset}`,
          pricing_type: "fixed_price",
          local_price: { amount: price, currency: asset },
          metadata: { depositId, userId },
        }),
        timeoutMs: config.PAYMENT_PROVIDER_TIMEOUT_MS,
      });
      const charge = reply.data;
      if (typeof charge !== "object" || charge === null) {
        throw new AppError("unavailable", "Coinbase Commerce answered without a charge");
      }
      const data = charge as Record<string, unknown>;
      return {
        status: "pending",
        providerRef: requireString(data, "id", "Coinbase Commerce"),
        checkoutUrl: requireString(data, "hosted_url", "Coinbase Commerce"),
      };
    },
    async startWithdrawal() {
      throw new AppError("validation_failed", "Withdrawals through Coinbase are not supported; use sandbox");
    },
  };
}
