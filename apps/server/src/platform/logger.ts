import pino, { type Logger } from "pino";
import type { Config } from "../config.js";

export type { Logger };

/** JSON logs; request logs carry `reqId` through Fastify's child loggers. */
export function createLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { service: "softchat" },
    redact: {
      paths: ["req.headers.authorization", "*.password", "*.refreshToken", "*.accessToken"],
      remove: true,
    },
  });
}
