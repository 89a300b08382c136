import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request a fake price API received. */
export interface PriceApiRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
}

/**
 * A fake price API on 127.0.0.1 port 0. Replies are raw JSON TEXT, so prices go out as JSON number tokens
 * with every digit, exactly as the real APIs send them (a JS object would be re-serialized through floats).
 */
export interface PriceApiFake {
  url: string;
  requests: PriceApiRequest[];
  /** Sets the price (decimal text) and optionally the 24 h change of a symbol (BTC, ETH, EUR, USDT). */
  set(symbol: string, price: string, change24h?: string): void;
  /** Removes a symbol from the replies. */
  drop(symbol: string): void;
  /** The `last_updated` time reported from now on (ms); default: the time of each request. */
  reportTime(ms: number | undefined): void;
  /** Answer every request with this HTTP status and the API's error body; undefined restores service. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

interface Entry {
  price: string;
  change: string;
}

type Render = (
  req: PriceApiRequest,
  entries: Map<string, Entry>,
  nowMs: number,
) => { status: number; body: string };

async function startPriceApi(render: Render, errorBody: string): Promise<PriceApiFake> {
  const requests: PriceApiRequest[] = [];
  const entries = new Map<string, Entry>();
  let reported: number | undefined;
  let failure: number | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const request = { path: url.pathname, query: url.searchParams, headers: req.headers };
    requests.push(request);
    const reply = failure
      ? { status: failure, body: errorBody }
      : render(request, entries, reported ?? Date.now());
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set: (symbol, price, change = "0") => entries.set(symbol, { price, change }),
    drop: (symbol) => entries.delete(symbol),
    reportTime: (ms) => {
      reported = ms;
    },
    failWith: (status) => {
      failure = status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

const GECKO_IDS: Record<string, string> = { bitcoin: "BTC", ethereum: "ETH", tether: "USDT" };

/** CoinGecko `/api/v3/simple/price` (ids, vs_currencies=usd, include_24hr_change, include_last_updated_at). */
export function startCoinGeckoFake(): Promise<PriceApiFake> {
  return startPriceApi((req, entries, now) => {
    if (req.path !== "/api/v3/simple/price" || req.query.get("vs_currencies") !== "usd") {
      return { status: 404, body: '{"error":"Not Found"}' };
    }
    const parts: string[] = [];
    for (const id of (req.query.get("ids") ?? "").split(",")) {
      const entry = entries.get(GECKO_IDS[id] ?? "");
      if (!entry) continue;
      const fields = [`"usd":${entry.price}`];
      if (req.query.get("include_24hr_change") === "true") fields.push(`"usd_24h_change":${entry.change}`);
      if (req.query.get("include_last_updated_at") === "true")
        fields.push(`"last_updated_at":${Math.floor(now / 1000)}`);
      parts.push(`"${id}":{${fields.join(",")}}`);
    }
    return { status: 200, body: `{${parts.join(",")}}` };
  }, '{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}');
}

/** CoinMarketCap `/v1/cryptocurrency/quotes/latest?symbol=...&convert=USD`, key in X-CMC_PRO_API_KEY. */
export function startCoinMarketCapFake(apiKey: string): Promise<PriceApiFake> {
  return startPriceApi((req, entries, now) => {
    const status = (code: number, message: string | null) =>
      `"status":{"timestamp":"${new Date().toISOString()}","error_code":${code},"error_message":${message === null ? "null" : `"${message}"`},"elapsed":10,"credit_count":1,"notice":null}`;
    if (req.headers["x-cmc_pro_api_key"] !== apiKey) {
      return { status: 401, body: `{${status(1002, "API key missing.")}}` };
    }
    if (req.path !== "/v1/cryptocurrency/quotes/latest")
      return { status: 404, body: `{${status(404, "Not found")}}` };
    const updated = new Date(now).toISOString();
    const data = (req.query.get("symbol") ?? "").split(",").flatMap((symbol) => {
      const entry = entries.get(symbol);
      if (!entry) return [];
      return [
        `"${symbol}":{"id":1,"name":"${symbol}","symbol":"${symbol}","slug":"${symbol.toLowerCase()}","num_market_pairs":10962,"cmc_rank":1,"last_updated":"${updated}","quote":{"USD":{"price":${entry.price},"volume_24h":25412345678.12,"percent_change_1h":0.12,"percent_change_24h":${entry.change},"percent_change_7d":3.1,"market_cap":1321234567890.1,"last_updated":"${updated}"}}}`,
      ];
    });
    return { status: 200, body: `{${status(0, null)},"data":{${data.join(",")}}}` };
  }, '{"status":{"error_code":500,"error_message":"Internal error"}}');
}

/** Binance `/api/v3/ticker/price?symbols=["BTCUSDT",...]`: prices as strings, an unknown market is a 400. */
export function startBinanceFake(): Promise<PriceApiFake> {
  return startPriceApi((req, entries) => {
    if (req.path !== "/api/v3/ticker/price") return { status: 404, body: '{"code":-1,"msg":"Not found"}' };
    let markets: unknown;
    try {
      markets = JSON.parse(req.query.get("symbols") ?? "");
    } catch {
      return {
        status: 400,
        body: '{"code":-1100,"msg":"Illegal characters found in parameter \'symbols\'."}',
      };
    }
    if (!Array.isArray(markets)) return { status: 400, body: '{"code":-1100,"msg":"Bad symbols"}' };
    const tickers: string[] = [];
    for (const market of markets) {
      const entry = entries.get(String(market).replace(/USDT$/, ""));
      if (!entry) return { status: 400, body: '{"code":-1121,"msg":"Invalid symbol."}' };
      tickers.push(`{"symbol":"${market}","price":"${entry.price}"}`);
    }
    return { status: 200, body: `[${tickers.join(",")}]` };
  }, '{"code":-1003,"msg":"Too much request weight used."}');
}
