import type { Config } from "../../../config.js";
import { ConfigError } from "../../../config.js";
import { DEFAULT_PAIRS, definePair, type PairDefinition, type PairSpec } from "./pairs.js";
import type { EngineOptions } from "./types.js";

/** The pairs this deployment trades, by id, in the order they were configured. */
export class PairRegistry {
  private readonly byId: ReadonlyMap<string, PairSpec>;

  constructor(pairs: readonly PairSpec[]) {
    const byId = new Map<string, PairSpec>();
    for (const pair of pairs) {
      if (byId.has(pair.pairId)) throw new Error(`pair ${pair.pairId} is defined twice`);
      byId.set(pair.pairId, pair);
    }
    this.byId = byId;
  }

  /** The pair, or undefined for an id this deployment does not trade. */
  get(pairId: string): PairSpec | undefined {
    return this.byId.get(pairId);
  }

  list(): PairSpec[] {
    return [...this.byId.values()];
  }
}

/**
 * The pairs from TRADING_PAIRS (a JSON array) or the defaults, with the default fees from config. A bad
 * definition stops the start with a ConfigError naming TRADING_PAIRS.
 */
export function loadPairs(
  config: Pick<Config, "TRADING_PAIRS" | "TRADING_MAKER_FEE_BPS" | "TRADING_TAKER_FEE_BPS">,
): PairRegistry {
  const defaults = { makerFeeBps: config.TRADING_MAKER_FEE_BPS, takerFeeBps: config.TRADING_TAKER_FEE_BPS };
  let definitions: readonly PairDefinition[] = DEFAULT_PAIRS;
  try {
    if (config.TRADING_PAIRS !== undefined) {
      const raw: unknown = JSON.parse(config.TRADING_PAIRS);
      if (!Array.isArray(raw) || raw.length === 0) throw new Error("expected a non-empty JSON array");
      definitions = raw as PairDefinition[];
    }
    return new PairRegistry(definitions.map((d) => definePair(d, defaults)));
  } catch (err) {
    throw new ConfigError(`Invalid TRADING_PAIRS: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** Matching engine options from config, for whoever hosts a pair's engine (the order pipeline). */
export function engineOptions(config: Pick<Config, "TRADING_MARKET_PROTECTION_BPS">): EngineOptions {
  return { marketProtectionBps: config.TRADING_MARKET_PROTECTION_BPS, defaultStp: "cancel_taker" };
}
