import { AppError } from "../../platform/http/errors.js";

/** An opaque page cursor: base64url of a JSON array of the keyset values of the last item. */
export function encodeCursor(values: ReadonlyArray<string>): string {
  return Buffer.from(JSON.stringify(values)).toString("base64url");
}

/** Decodes a cursor made by `encodeCursor` with `size` values; anything else is 400 `validation_failed`. */
export function decodeCursor(cursor: string, size: number): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(values) && values.length === size && values.every((v) => typeof v === "string")) {
      return values as string[];
    }
  } catch {
    // Falls through to the one error below.
  }
  throw new AppError("validation_failed", "The cursor is not valid", {
    fields: [{ path: "querystring.cursor", message: "use nextCursor from the previous page" }],
  });
}
