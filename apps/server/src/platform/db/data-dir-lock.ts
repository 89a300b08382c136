import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The file under DATA_DIR naming the process that has the embedded database open. */
export const DATA_DIR_LOCK_FILE = "softchat.pid";

/** Directories this process has claimed: a file naming our own pid is only ours if it is listed here. */
const claimedHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Claims `dir` for this process and returns the function that gives it back. PGlite files written by two
 * processes at once get corrupted, so a second node started on the same DATA_DIR (a second `npm start`
 * with another PORT) stops with a clear error instead. A claim left by a process that is gone (a crash, a
 * SIGKILL) is taken over.
 */
export function claimDataDir(dir: string): () => void {
  const file = join(dir, DATA_DIR_LOCK_FILE);
  const mine = String(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!claimedHere.has(file)) {
      try {
        writeFileSync(file, mine, { flag: "wx" });
        claimedHere.add(file);
        return () => {
          claimedHere.delete(file);
          try {
            if (readFileSync(file, "utf8") === mine) rmSync(file, { force: true });
          } catch {
            // Already gone: nothing to give back.
          }
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
    let holder = Number.NaN;
    try {
      holder = Number(readFileSync(file, "utf8").trim());
    } catch {
      // Released between our write and this read: try again.
    }
    // Our own pid in a file we did not write is a leftover of an earlier run (containers reuse pids).
    const held = holder === process.pid ? claimedHere.has(file) : holder > 0 && isRunning(holder);
    if (Number.isSafeInteger(holder) && held) {
      throw new Error(
        `DATA_DIR ${dir} is in use by another Softchat process (pid ${holder}); stop it first, or give this ` +
          `one another DATA_DIR (if no such process runs, delete ${file})`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new Error(`could not claim DATA_DIR ${dir}: ${file} keeps coming back`);
}
