import { AppError } from "../../platform/http/errors.js";

/** An opaque page cursor: base64url of the keyset values of the last item of a page. */
export function pageCursor(values: ReadonlyArray<string>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

type KeyCheck = (value: string) => boolean;

/** Shapes of keyset values: an ISO time, a whole number, a UUID. */
export const KEY: Record<"time" | "int" | "uuid", KeyCheck> = {
  time: (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v)),
  int: (v) => /^\d{1,18}$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
};

/**
 * The keyset values of a cursor made by `pageCursor`, one per pattern in `shape`; anything else is 400
 * `validation_failed` (a tampered cursor never reaches the SQL).
 */
export function cursorValues(cursor: string, shape: readonly KeyCheck[]): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (
      Array.isArray(values) &&
      values.length === shape.length &&
      values.every((v, i) => typeof v === "string" && shape[i]?.(v) === true)
    ) {
      return values as string[];
    }
  } catch {
    // Falls through to the one error below.
  }
  throw new AppError("validation_failed", "The cursor is not valid", {
    fields: [{ path: "querystring.cursor", message: "use nextCursor from the previous page" }],
  });
}
