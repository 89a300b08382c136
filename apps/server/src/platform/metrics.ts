import {
  Counter,
  type CounterConfiguration,
  collectDefaultMetrics,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  type Metric,
  Registry,
} from "prom-client";

/** How a socket event ended, as counted in `socket_events_total`. */
export type SocketEventOutcome = "ok" | "error" | "invalid" | "rate_limited";

/** Latency buckets in seconds, from a cache hit (1 ms) to a slow money operation (10 s). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type HttpLabel = "method" | "route" | "status";
type SocketLabel = "event" | "outcome";

export interface MetricsOptions {
  /** Collect the process metrics prom-client offers (CPU, memory, event loop lag, GC). Default true. */
  defaultMetrics?: boolean;
}

/**
 * The node's Prometheus registry, served at `/metrics`. Each platform owns one registry, so two servers in
 * one process (tests) never mix their figures. Label values must come from a closed set (route patterns,
 * registered event names), never from raw client input, or the series count grows without bound.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<HttpLabel>;
  private readonly httpDuration: Histogram<HttpLabel>;
  private readonly socketEvents: Counter<SocketLabel>;
  private readonly socketDuration: Histogram<SocketLabel>;
  /** Sockets connected to this node right now; the gateway increments on connect, decrements on disconnect. */
  readonly socketsConnected: Gauge;

  constructor(options: MetricsOptions = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.httpRequests = this.counter({
      name: "http_requests_total",
      help: "HTTP requests answered, by route pattern and status",
      labelNames: ["method", "route", "status"],
    });
    this.httpDuration = this.histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency in seconds, by route pattern and status",
      labelNames: ["method", "route", "status"],
      buckets: LATENCY_BUCKETS,
    });
    this.socketEvents = this.counter({
      name: "socket_events_total",
      help: "Socket.IO client events handled, by event name and outcome",
      labelNames: ["event", "outcome"],
    });
    this.socketDuration = this.histogram({
      name: "socket_event_duration_seconds",
      help: "Socket.IO client event handling time in seconds, by event name and outcome",
      labelNames: ["event", "outcome"],
      buckets: LATENCY_BUCKETS,
    });
    this.socketsConnected = this.gauge({
      name: "socket_connections",
      help: "Socket.IO connections open on this node",
    });
  }

  /** Counts and times one HTTP request. `route` is the route pattern (`/api/wallet/:userId/balance`). */
  observeHttp(method: string, route: string, status: number, durationMs: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationMs / 1000);
  }

  /** Counts and times one handled socket event. `event` must be a registered event name. */
  observeSocketEvent(event: string, durationMs: number, outcome: SocketEventOutcome): void {
    this.socketEvents.inc({ event, outcome });
    this.socketDuration.observe({ event, outcome }, durationMs / 1000);
  }

  /** A counter in this registry; asking twice for the same name returns the same counter. */
  counter<L extends string = string>(config: CounterConfiguration<L>): Counter<L> {
    return (
      this.existing<Counter<L>>(config.name, Counter) ??
      new Counter({ ...config, registers: [this.registry] })
    );
  }

  /** A histogram in this registry (seconds by convention); same name, same histogram. */
  histogram<L extends string = string>(config: HistogramConfiguration<L>): Histogram<L> {
    return (
      this.existing<Histogram<L>>(config.name, Histogram) ??
      new Histogram({ ...config, registers: [this.registry] })
    );
  }

  /** A gauge in this registry; same name, same gauge. */
  gauge<L extends string = string>(config: GaugeConfiguration<L>): Gauge<L> {
    return (
      this.existing<Gauge<L>>(config.name, Gauge) ?? new Gauge({ ...config, registers: [this.registry] })
    );
  }

  /** The exposition text served at `/metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private existing<M extends Metric<string>>(
    name: string,
    kind: abstract new (...args: never[]) => Metric<string>,
  ): M | undefined {
    const found = this.registry.getSingleMetric(name);
    if (!found) return undefined;
    if (!(found instanceof kind)) throw new Error(`metric ${name} already exists with another type`);
    return found as M;
  }
}
