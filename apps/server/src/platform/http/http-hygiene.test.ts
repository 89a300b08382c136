import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CustomApp, startCustomApp } from "../../../test/custom-app.js";
import { engines } from "../../../test/harness.js";
import type { SoftchatModule } from "../../modules/index.js";

const echoModule: SoftchatModule = {
  name: "echo",
  register(app) {
    app.post(
      "/api/echo/:itemId",
      {
        schema: {
          params: z.object({ itemId: z.string() }),
          body: z.object({ text: z.string() }),
          tags: ["test"],
        },
      },
      async (request) => {
        request.log.info({ itemId: request.params.itemId }, "echo handler ran");
        return { itemId: request.params.itemId, text: request.body.text };
      },
    );
    app.delete(
      "/api/echo/:itemId",
      { schema: { params: z.object({ itemId: z.string() }), tags: ["test"] } },
      async (request) => ({ deleted: request.params.itemId }),
    );
  },
};

const ALLOWED = "https://app.softchat.example";

describe.each(engines)("HTTP hygiene (%s)", (engine) => {
  let node: CustomApp;
  let closedToOthers: CustomApp;

  beforeAll(async () => {
    [node, closedToOthers] = await Promise.all([
      startCustomApp(engine, [echoModule], {
        CORS_ORIGINS: `${ALLOWED},https://admin.softchat.example`,
        BODY_LIMIT_BYTES: "2048",
      }),
      startCustomApp(engine, [echoModule]),
    ]);
  });
  afterAll(async () => {
    await Promise.all([node?.close(), closedToOthers?.close()]);
  });

  it("every reply carries the web app's CSP and helmet's headers", async () => {
    const res = await node.request("GET", "/health");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("img-src 'self' data: blob:");
    expect(csp).toContain("connect-src 'self' ws: wss:");
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("manifest-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("the API docs get a CSP of their own that still allows no inline script", async () => {
    const res = await node.request("GET", "/docs/");
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("img-src 'self' data: https:");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it("a listed origin may call the API from the browser, with the headers it needs", async () => {
    const preflight = await node.request("OPTIONS", "/api/echo/1", {
      headers: {
        origin: ALLOWED,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("idempotency-key");
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();

    const res = await node.request("POST", "/api/echo/1", {
      body: { text: "hi" },
      headers: { origin: ALLOWED },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(res.headers.get("access-control-expose-headers")).toContain("x-request-id");
  });

  it("an origin not listed gets no CORS grant", async () => {
    const res = await node.request("GET", "/health", { headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("with CORS_ORIGINS empty no origin gets a CORS grant, not even a preflight", async () => {
    const res = await closedToOthers.request("GET", "/health", { headers: { origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await closedToOthers.request("OPTIONS", "/api/echo/1", {
      headers: { origin: ALLOWED, "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("a body over BODY_LIMIT_BYTES is refused with 413 payload_too_large", async () => {
    const res = await node.request("POST", "/api/echo/1", { body: { text: "x".repeat(4096) } });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      error: { code: "payload_too_large", message: expect.any(String) },
    });
    const small = await node.request("POST", "/api/echo/1", { body: { text: "x".repeat(1000) } });
    expect(small.status).toBe(200);
  });

  it("a body that fails the schema lists the field paths", async () => {
    const res = await node.request("POST", "/api/echo/1", { body: { text: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.details.fields).toEqual([expect.objectContaining({ path: "body.text" })]);
  });

  it("an empty body sent as JSON is no body: a DELETE goes through, a route that needs a body names it", async () => {
    const send = (method: string, body: string) =>
      fetch(`${node.url}/api/echo/7`, { method, headers: { "content-type": "application/json" }, body });
    const del = await send("DELETE", "");
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ deleted: "7" });

    const post = await send("POST", "");
    expect(post.status).toBe(400);
    const refused = (await post.json()) as { error: { code: string; details: { fields: unknown[] } } };
    expect(refused.error.code).toBe("validation_failed");
    expect(refused.error.details.fields).toEqual([expect.objectContaining({ path: "body" })]);

    // Bodies with content are still parsed by Fastify's own JSON parser, with its refusals.
    for (const bad of ["{not json", '{"text":"x","__proto__":{"admin":true}}']) {
      const res = await send("POST", bad);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
    const ok = await send("POST", '{"text":"hello"}');
    expect(await ok.json()).toEqual({ itemId: "7", text: "hello" });
  });

  it("each reply carries x-request-id and every log line of that request names it", async () => {
    const res = await node.request("POST", "/api/echo/abc", { body: { text: "hello" } });
    const reqId = res.headers.get("x-request-id");
    expect(reqId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = node.logs.filter((l) => l.reqId === reqId);
    expect(lines.map((l) => l.msg)).toEqual(["incoming request", "echo handler ran", "request completed"]);
    const other = await node.request("GET", "/health");
    expect(other.headers.get("x-request-id")).not.toBe(reqId);
  });

  it("a well-formed x-request-id from a proxy is kept; a malformed one is replaced", async () => {
    const kept = await node.request("GET", "/health", { headers: { "x-request-id": "edge-7f3a-01" } });
    expect(kept.headers.get("x-request-id")).toBe("edge-7f3a-01");
    expect(node.logs.some((l) => l.reqId === "edge-7f3a-01" && l.msg === "request completed")).toBe(true);
    const replaced = await node.request("GET", "/health", {
      headers: { "x-request-id": "<script>alert(1)</script>" },
    });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("an unknown path answers 404 in the one error shape", async () => {
    const res = await node.request("GET", "/api/nowhere");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
