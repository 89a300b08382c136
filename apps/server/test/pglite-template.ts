import type { PGlite } from "@electric-sql/pglite";
import type { Database } from "../src/platform/db/index.js";
import { openPgliteOn } from "../src/platform/db/pglite.js";

/** Wraps an already open PGlite in the Database interface (used to migrate the template). */
export function openPgliteFrom(pg: PGlite): Database {
  return openPgliteOn(pg);
}
