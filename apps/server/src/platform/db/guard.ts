import { AsyncLocalStorage } from "node:async_hooks";

const open = new AsyncLocalStorage<object>();

/** Marks the async scope of a transaction callback, so a stray call on the database itself is caught. */
export function runInTransactionScope<T>(db: object, fn: () => Promise<T>): Promise<T> {
  return open.run(db, fn);
}

/** Throws when `db` is queried directly from inside one of its own transaction callbacks. */
export function assertOutsideTransaction(db: object): void {
  if (open.getStore() === db) {
    throw new Error("database queried directly inside a transaction callback; use the tx it was given");
  }
}

/** Runs a transaction's before-commit hooks in order, including any a hook adds while running. */
export async function runBeforeCommit(hooks: Array<() => Promise<void>>): Promise<void> {
  for (let i = 0; i < hooks.length; i++) await hooks[i]?.();
}
