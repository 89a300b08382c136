import type { App } from "./app-type.js";

/**
 * Many HTTP clients send `Content-Type: application/json` on every request, a DELETE or a bodiless POST
 * included. Fastify refuses such an empty body as malformed JSON, so a cancel answered 400 "The request is
 * not valid" with nothing wrong in it. Here an empty body parses as no body: a route that needs one still
 * refuses it, through its schema, naming the missing field. Non-empty bodies keep Fastify's own parser, with
 * its refusal of `__proto__` and `constructor.prototype` keys.
 */
export function acceptEmptyJsonBodies(app: App): void {
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    // parseAs "string": the body is a string here.
    const text = String(body);
    if (text === "") {
      done(null, undefined);
      return;
    }
    json(request, text, done);
  });
}
