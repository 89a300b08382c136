import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CustomApp, startCustomApp } from "../../../test/custom-app.js";
import { engines } from "../../../test/harness.js";
import type { SoftchatModule } from "../../modules/index.js";

const gadgetsModule: SoftchatModule = {
  name: "gadgets",
  register(app) {
    app.get(
      "/api/gadgets/:gadgetId",
      {
        schema: {
          tags: ["gadgets"],
          params: z.object({ gadgetId: z.string().uuid() }),
          querystring: z.object({ limit: z.coerce.number().int().max(200).optional() }),
          response: { 200: z.object({ id: z.string(), price: z.string().describe("decimal string") }) },
        },
      },
      async (request) => ({ id: request.params.gadgetId, price: "12.50" }),
    );
    app.post(
      "/api/gadgets/preview",
      { schema: { tags: ["gadgets"], security: [], body: z.object({ name: z.string().min(1).max(40) }) } },
      async (request) => ({ name: request.body.name }),
    );
  },
};

describe.each(engines)("API docs (%s)", (engine) => {
  let node: CustomApp;
  beforeAll(async () => {
    node = await startCustomApp(engine, [gadgetsModule]);
  });
  afterAll(async () => {
    await node?.close();
  });

  it("/docs/json is an OpenAPI 3 document generated from the routes' zod schemas", async () => {
    const res = await node.request("GET", "/docs/json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    const get = doc.paths["/api/gadgets/{gadgetId}"]?.get;
    expect(get.tags).toEqual(["gadgets"]);
    expect(get.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "gadgetId", in: "path", required: true }),
        expect.objectContaining({ name: "limit", in: "query" }),
      ]),
    );
    const ok = get.responses["200"].content["application/json"].schema;
    expect(ok.properties.price).toEqual(
      expect.objectContaining({ type: "string", description: "decimal string" }),
    );
    const post = doc.paths["/api/gadgets/preview"]?.post;
    expect(post.requestBody.content["application/json"].schema.properties.name).toEqual(
      expect.objectContaining({ type: "string", minLength: 1, maxLength: 40 }),
    );
  });

  it("routes take a bearer token unless they declare themselves public", async () => {
    const doc = (await node.request("GET", "/docs/json")).body;
    expect(doc.components.securitySchemes.bearerAuth).toEqual({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/api/gadgets/preview"].post.security).toEqual([]);
  });

  it("operational routes stay out of the document", async () => {
    const doc = (await node.request("GET", "/docs/json")).body;
    for (const hidden of ["/health", "/ready", "/metrics", "/docs", "/docs/json"]) {
      expect(doc.paths[hidden]).toBeUndefined();
    }
  });

  it("/docs serves Swagger UI", async () => {
    const res = await fetch(`${node.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("swagger-ui");
  });
});
