import { PAYMENT_PROVIDERS, type PaymentProviderName } from "@softchat/contracts";

/** The payment providers Softchat can talk to; `sandbox` is the embedded default and always enabled. */
export const PROVIDER_NAMES = PAYMENT_PROVIDERS;
export type ProviderName = PaymentProviderName;

export interface DepositRequest {
  depositId: string;
  userId: string;
  asset: string;
  /** Minor units of `asset`. */
  amount: bigint;
}

export interface DepositStart {
  /** `completed`: credit now (sandbox). `pending`: wait for the provider's webhook. */
  status: "completed" | "pending";
  /** The provider's id for this payment; webhooks name the payment by it. */
  providerRef: string;
  /** Where the user pays (Coinbase Commerce hosted page). */
  checkoutUrl?: string;
  /** What the web app hands to Stripe.js to confirm the payment. */
  clientSecret?: string;
}

export interface WithdrawalRequest {
  withdrawalId: string;
  userId: string;
  asset: string;
  /** Minor units of `asset`. */
  amount: bigint;
  destination: string;
}

export interface WithdrawalStart {
  providerRef: string;
}

/** One payment provider behind the interface the wallet uses; chosen by name in `getProvider`. */
export interface PaymentProvider {
  readonly name: ProviderName;
  /** Starts a deposit. Throws AppError for an asset the provider does not take or when it is unreachable. */
  startDeposit(request: DepositRequest): Promise<DepositStart>;
  /** Starts a payout; the outcome arrives later and settles the withdrawal through `settleWithdrawal`. */
  startWithdrawal(request: WithdrawalRequest): Promise<WithdrawalStart>;
}
