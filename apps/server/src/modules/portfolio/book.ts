import type { Transaction } from "../../platform/db/index.js";
import {
  type Activity,
  applyActivities,
  compareActivities,
  type Disposal,
  type Lot,
  opensLot,
} from "./fifo.js";
import { deleteDerived, insertDisposals, saveLots, startingPoints } from "./lots-repo.js";
import {
  type FreshStart,
  type Holding,
  holdingActivities,
  insertActivities,
  lockBooks,
  type NewActivity,
  setApplied,
} from "./repo.js";

/**
 * Records what changed one user's holdings and brings the user's lots up to date, inside the caller's
 * transaction, under the user's book lock (see `recordLockedActivities`). Returns whether anything changed.
 */
export async function recordActivities(
  tx: Transaction,
  userId: string,
  list: NewActivity[],
): Promise<boolean> {
  if (list.length === 0) return false;
  await lockBooks(tx, [userId]);
  return (await recordLockedActivities(tx, new Map([[userId, list]]))).size > 0;
}

/**
 * Records the activities of many users and brings their lots up to date, in the caller's transaction; the
 * caller holds every one of these users' book locks (`lockBooks`). Activities already recorded (same
 * source) are skipped. The lots of an asset depend only on that asset's activities, so each holding (user,
 * asset) is decided on its own: usually the new activities come after everything recorded in it and only
 * the oldest of its open lots that they take from are read (none when they only add); when one belongs
 * before an activity already recorded there (events are delivered at least once, not in order) that
 * holding's whole history is replayed, so its lots are always what FIFO over every activity of the asset
 * in time order gives. A fixed number of statements whatever the number of users. Returns the users whose
 * activities were new.
 */
export async function recordLockedActivities(
  tx: Transaction,
  byUser: ReadonlyMap<string, readonly NewActivity[]>,
): Promise<Set<string>> {
  const fresh = await insertActivities(tx, byUser);
  if (fresh.size === 0) return new Set();
  for (const added of fresh.values()) added.sort(compareActivities);
  const starts = freshStarts(fresh);
  const { late: replayed, open } = await startingPoints(tx, starts);
  const late = new Set(replayed.map(holdingKey));
  await deleteDerived(tx, replayed);
  const histories = await holdingActivities(tx, replayed);

  const lots = new Map<string, Lot[]>();
  const disposals = new Map<string, Disposal[]>();
  const newest = new Map<string, Activity>();
  for (const [userId, added] of fresh) {
    // A replayed holding's history already holds its new activities.
    const appended = added.filter((a) => !late.has(holdingKey({ userId, asset: a.asset })));
    const activities = [...appended, ...(histories.get(userId) ?? [])].sort(compareActivities);
    const result = applyActivities(open.get(userId) ?? [], activities);
    lots.set(userId, result.lots);
    disposals.set(userId, result.disposals);
    const last = added.at(-1);
    if (last) newest.set(userId, last);
  }
  await saveLots(tx, lots);
  await insertDisposals(tx, disposals);
  await setApplied(tx, newest);
  return new Set(fresh.keys());
}

/** Per holding touched, the earliest of its new activities (each user's list sorted). */
function freshStarts(fresh: ReadonlyMap<string, readonly Activity[]>): FreshStart[] {
  const starts = new Map<string, FreshStart>();
  for (const [userId, added] of fresh) {
    for (const a of added) {
      const key = holdingKey({ userId, asset: a.asset });
      const outflow = opensLot(a.kind) ? 0n : a.quantity;
      const start = starts.get(key);
      if (start) {
        start.othersRecorded += 1;
        start.outflow += outflow;
      } else starts.set(key, { userId, asset: a.asset, earliest: a, othersRecorded: 0, outflow });
    }
  }
  return [...starts.values()];
}

function holdingKey(h: Holding): string {
  return `${h.userId}:${h.asset}`;
}
