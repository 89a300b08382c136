import type { Transaction } from "../../platform/db/index.js";
import { type Activity, applyActivities, compareActivities } from "./fifo.js";
import {
  allActivities,
  deleteDerived,
  insertActivities,
  insertDisposals,
  lockBook,
  type NewActivity,
  openLots,
  saveLots,
  setApplied,
} from "./repo.js";

/**
 * Records what changed a user's holdings and brings the user's lots up to date, inside the caller's
 * transaction and under the user's book lock (one writer per user, on any node). Activities already
 * recorded (same source) are skipped. The usual case appends: the new activities come after everything
 * applied so far and only the open lots of their assets are read. One that belongs before the last applied
 * activity (events are delivered at least once, not in order) replays the user's whole history, so the
 * lots are always what FIFO over every activity in time order gives. Returns whether anything changed.
 */
export async function recordActivities(
  tx: Transaction,
  userId: string,
  list: NewActivity[],
): Promise<boolean> {
  if (list.length === 0) return false;
  const book = await lockBook(tx, userId);
  const added = (await insertActivities(tx, userId, list)).sort(compareActivities);
  const first = added[0];
  const last = added.at(-1);
  if (!first || !last) return false;
  const appliedKey: Activity | null =
    book.appliedAt && book.appliedPosition !== null
      ? { ...first, occurredAt: book.appliedAt, position: book.appliedPosition }
      : null;
  if (appliedKey && compareActivities(first, appliedKey) < 0) {
    await deleteDerived(tx, userId);
    const history = await allActivities(tx, userId);
    const result = applyActivities([], history);
    await saveLots(tx, userId, result.lots);
    await insertDisposals(tx, userId, result.disposals);
    const newest = history.at(-1);
    if (newest) await setApplied(tx, userId, newest);
    return true;
  }
  const assets = [...new Set(added.map((a) => a.asset))];
  const result = applyActivities(await openLots(tx, userId, assets), added);
  await saveLots(tx, userId, result.lots);
  await insertDisposals(tx, userId, result.disposals);
  await setApplied(tx, userId, last);
  return true;
}
