import type {
  Balance,
  Deposit,
  DepositAddress,
  DepositBody,
  Page,
  TransactionsQuery,
  TransferBody,
  WalletTransaction,
  WalletTransfer,
  Withdrawal,
  WithdrawalBody,
} from "@softchat/contracts";
import type { HttpTransport } from "../http/transport.js";
import { idempotencyHeaders as idempotency } from "../ids.js";

/**
 * Options of a money-moving POST. Pass the same `idempotencyKey` when retrying the same operation (after a
 * timeout, say) and the server returns the first result instead of moving money twice; a new operation
 * needs a new key (one is generated when omitted).
 */
export interface MoneyOptions {
  idempotencyKey?: string;
  /** Whose wallet: mine by default (admins may act on others where the server allows). */
  userId?: string;
}

const wallet = (userId: string) => `/api/wallet/${encodeURIComponent(userId)}`;

/** Balances, history and money movements (`/api/wallet/:userId/*`). Amounts are decimal strings. */
export class WalletApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly currentUserId: () => Promise<string>,
  ) {}

  /** One line per asset: available, pending (held) and total. */
  async balance(userId?: string): Promise<Balance[]> {
    const owner = userId ?? (await this.currentUserId());
    return (await this.http.request<{ balances: Balance[] }>("GET", `${wallet(owner)}/balance`)).balances;
  }

  /** History, newest first, cursor-paginated; filter by `asset` and `type`. */
  async transactions(
    query: Partial<TransactionsQuery> & { userId?: string } = {},
  ): Promise<Page<WalletTransaction>> {
    const { userId, ...rest } = query;
    const owner = userId ?? (await this.currentUserId());
    return this.http.request<Page<WalletTransaction>>("GET", `${wallet(owner)}/transactions`, {
      query: { ...rest },
    });
  }

  /** Sends money to another user (id or username). */
  async transfer(body: TransferBody, options: MoneyOptions = {}): Promise<WalletTransfer> {
    const path = `${wallet(options.userId ?? (await this.currentUserId()))}/transfer`;
    const reply = await this.http.request<{ transfer: WalletTransfer }>("POST", path, {
      body,
      headers: idempotency(options),
    });
    return reply.transfer;
  }

  /** One stable deposit address per crypto asset. */
  async addresses(userId?: string): Promise<DepositAddress[]> {
    const owner = userId ?? (await this.currentUserId());
    return (await this.http.request<{ items: DepositAddress[] }>("GET", `${wallet(owner)}/addresses`)).items;
  }

  /** Starts a deposit; sandbox deposits complete at once. */
  async deposit(body: DepositBody, options: MoneyOptions = {}): Promise<Deposit> {
    const path = `${wallet(options.userId ?? (await this.currentUserId()))}/deposits`;
    const reply = await this.http.request<{ deposit: Deposit }>("POST", path, {
      body,
      headers: idempotency(options),
    });
    return reply.deposit;
  }

  /** Requests a withdrawal; the funds are held until the provider confirms. */
  async withdraw(body: WithdrawalBody, options: MoneyOptions = {}): Promise<Withdrawal> {
    const path = `${wallet(options.userId ?? (await this.currentUserId()))}/withdrawals`;
    const reply = await this.http.request<{ withdrawal: Withdrawal }>("POST", path, {
      body,
      headers: idempotency(options),
    });
    return reply.withdrawal;
  }
}
