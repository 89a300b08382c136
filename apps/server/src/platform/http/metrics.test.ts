import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CustomApp, startCustomApp } from "../../../test/custom-app.js";
import { engines } from "../../../test/harness.js";
import type { SoftchatModule } from "../../modules/index.js";

const widgetsModule: SoftchatModule = {
  name: "widgets",
  register(app, ctx) {
    const viewed = ctx.metrics.counter({
      name: "widgets_viewed_total",
      help: "Widgets viewed",
      labelNames: ["kind"],
    });
    app.get(
      "/api/widgets/:widgetId",
      { schema: { params: z.object({ widgetId: z.string() }) } },
      async (request, reply) => {
        if (request.params.widgetId === "missing")
          return reply.status(404).send({ error: { code: "not_found", message: "no" } });
        viewed.inc({ kind: "plain" });
        return { id: request.params.widgetId };
      },
    );
  },
};

/** The value of one series in the Prometheus text, e.g. `http_requests_total{method="GET",...}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe.each(engines)("/metrics (%s)", (engine) => {
  let node: CustomApp;
  beforeAll(async () => {
    node = await startCustomApp(engine, [widgetsModule]);
  });
  afterAll(async () => {
    await node?.close();
  });

  it("counts and times requests per route pattern, never per raw URL", async () => {
    for (const id of ["a1", "b2", "c3"])
      expect((await node.request("GET", `/api/widgets/${id}`)).status).toBe(200);
    await node.request("GET", "/api/widgets/missing");
    const res = await fetch(`${node.url}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    const ok = { method: "GET", route: "/api/widgets/:widgetId", status: "200" };
    expect(sample(text, "http_requests_total", ok)).toBe(3);
    expect(sample(text, "http_requests_total", { ...ok, status: "404" })).toBe(1);
    expect(sample(text, "http_request_duration_seconds_count", ok)).toBe(3);
    expect(sample(text, "http_request_duration_seconds_bucket", { ...ok, le: "+Inf" })).toBe(3);
    expect(sample(text, "http_request_duration_seconds_bucket", { ...ok, le: "10" })).toBe(3);
    expect(text).not.toContain("/api/widgets/a1");
  });

  it("paths no route knows share one series", async () => {
    await node.request("GET", "/wp-admin/setup.php");
    await node.request("GET", "/.env");
    const text = await (await fetch(`${node.url}/metrics`)).text();
    expect(sample(text, "http_requests_total", { route: "unmatched", status: "404" })).toBe(2);
    expect(text).not.toContain("wp-admin");
  });

  it("shows socket events, connected sockets, module metrics and process metrics", async () => {
    node.platform.metrics.observeSocketEvent("send_message", 12, "ok");
    node.platform.metrics.observeSocketEvent("send_message", 3, "rate_limited");
    node.platform.metrics.socketsConnected.inc(2);
    node.platform.metrics.socketsConnected.dec();
    await node.request("GET", "/api/widgets/z9");
    const text = await (await fetch(`${node.url}/metrics`)).text();
    expect(sample(text, "socket_events_total", { event: "send_message", outcome: "ok" })).toBe(1);
    expect(sample(text, "socket_events_total", { event: "send_message", outcome: "rate_limited" })).toBe(1);
    expect(
      sample(text, "socket_event_duration_seconds_sum", { event: "send_message", outcome: "ok" }),
    ).toBeCloseTo(0.012);
    expect(sample(text, "socket_connections", {})).toBe(1);
    expect(sample(text, "widgets_viewed_total", { kind: "plain" })).toBeGreaterThanOrEqual(1);
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("asking for a module metric twice returns the same one", () => {
    const config = { name: "gizmos_total", help: "Gizmos", labelNames: ["kind"] as const };
    const first = node.platform.metrics.counter({ ...config, labelNames: [...config.labelNames] });
    const second = node.platform.metrics.counter({ ...config, labelNames: [...config.labelNames] });
    expect(second).toBe(first);
    expect(() => node.platform.metrics.gauge({ name: "gizmos_total", help: "Gizmos" })).toThrow(
      /another type/,
    );
  });
});
