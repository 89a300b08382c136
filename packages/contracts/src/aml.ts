import { z } from "zod";
import { paginationQuerySchema, uuidSchema } from "./common.js";

/** The monitoring rules; each raises a flag into the admin review queue. */
export const AML_RULES = ["large_transaction", "structuring", "velocity", "rapid_in_out", "fan_out"] as const;
export type AmlRule = (typeof AML_RULES)[number];

export const AML_SEVERITIES = ["low", "medium", "high"] as const;
export type AmlSeverity = (typeof AML_SEVERITIES)[number];

export const AML_FLAG_STATUSES = ["open", "resolved", "dismissed"] as const;
export type AmlFlagStatus = (typeof AML_FLAG_STATUSES)[number];

export const amlFlagSchema = z.object({
  id: uuidSchema,
  userId: uuidSchema,
  rule: z.enum(AML_RULES),
  severity: z.enum(AML_SEVERITIES),
  /** The wallet transaction that triggered the flag. */
  transactionId: z.string(),
  /** When the triggering transaction happened. */
  triggeredAt: z.string(),
  /** The figures the rule saw (counts, USD cents as decimal strings, window). */
  details: z.record(z.string(), z.unknown()),
  status: z.enum(AML_FLAG_STATUSES),
  createdAt: z.string(),
  resolvedBy: uuidSchema.nullable(),
  resolvedAt: z.string().nullable(),
  note: z.string().nullable(),
});
export type AmlFlag = z.infer<typeof amlFlagSchema>;

export const amlFlagsQuerySchema = paginationQuerySchema.extend({
  status: z.enum(AML_FLAG_STATUSES).optional(),
});
export type AmlFlagsQuery = z.infer<typeof amlFlagsQuerySchema>;

export const amlFlagParamsSchema = z.object({ flagId: uuidSchema });

export const amlResolveBodySchema = z.object({
  status: z.enum(["resolved", "dismissed"]),
  note: z.string().trim().max(2000).optional(),
});
export type AmlResolveBody = z.infer<typeof amlResolveBodySchema>;

export const amlFlagReplySchema = z.object({ flag: amlFlagSchema });
