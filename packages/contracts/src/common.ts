import { z } from "zod";

export const uuidSchema = z.string().uuid();

/** A positive or zero decimal amount on the wire ("12.50"); scale is checked per asset by the server. */
export const decimalStringSchema = z
  .string()
  .max(60)
  .regex(/^\d+(\.\d+)?$/, 'must be a decimal string such as "12.50"');

export const paginationQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export type PaginationQuery = z.infer<typeof paginationQuerySchema>;

/** A page of a list: opaque cursor for the next page, or null at the end. */
export function pageSchema<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
