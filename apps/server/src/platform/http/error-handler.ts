import type { FastifyError } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { ZodError } from "zod";
import type { App } from "./app-type.js";
import { AppError } from "./errors.js";

interface FieldIssue {
  path: string;
  message: string;
}

/** Installs the one error shape: `{ error: { code, message, details } }`, never a stack trace or SQL. */
export function installErrorHandler(app: App): void {
  app.setErrorHandler((err: FastifyError | AppError | ZodError, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: FieldIssue[] = err.validation.map((v) => ({
        path: [
          err.validationContext ?? "body",
          ...String(v.instancePath ?? "")
            .split("/")
            .filter(Boolean),
        ].join("."),
        message: v.message ?? "invalid",
      }));
      return reply.status(400).send({
        error: { code: "validation_failed", message: "The request is not valid", details: { fields } },
      });
    }
    if (err instanceof ZodError) {
      const fields: FieldIssue[] = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
      return reply.status(400).send({
        error: { code: "validation_failed", message: "The request is not valid", details: { fields } },
      });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if (status === 413) {
      return reply
        .status(413)
        .send({ error: { code: "payload_too_large", message: "The request body is too large" } });
    }
    if (status === 429) {
      return reply.status(429).send({ error: { code: "rate_limited", message: "Too many requests" } });
    }
    if (status >= 400 && status < 500) {
      const message = status === 415 ? "Unsupported content type" : "The request is not valid";
      return reply.status(status).send({ error: { code: "validation_failed", message } });
    }
    request.log.error({ err }, "unhandled error");
    return reply
      .status(500)
      .send({ error: { code: "internal_error", message: "Something went wrong on our side" } });
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send({ error: { code: "not_found", message: `No route ${request.method} ${request.url}` } });
  });
}
