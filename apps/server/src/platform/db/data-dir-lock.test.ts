import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../../../test/harness.js";
import { type RunningServer, startServer } from "../../server.js";
import { claimDataDir, DATA_DIR_LOCK_FILE } from "./data-dir-lock.js";

describe("one embedded node per DATA_DIR", () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "softchat-lock-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("a second node on the same DATA_DIR is refused while the first runs, and starts once it stopped", async () => {
    const dir = newDir();
    const first = await startServer(testConfig("pglite", { DATA_DIR: dir }));
    servers.push(first);
    await expect(startServer(testConfig("pglite", { DATA_DIR: dir }))).rejects.toThrow(
      `DATA_DIR ${dir} is in use by another Softchat process (pid ${process.pid})`,
    );

    await servers.splice(0)[0]?.close();
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
    const again = await startServer(testConfig("pglite", { DATA_DIR: dir }));
    servers.push(again);
    expect((await fetch(`${again.url}/ready`)).status).toBe(200);
  });

  it("takes over a claim left by a process that is gone", () => {
    const dir = newDir();
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dir, DATA_DIR_LOCK_FILE), String(gone));
    const release = claimDataDir(dir);
    release();
    expect(existsSync(join(dir, DATA_DIR_LOCK_FILE))).toBe(false);
  });
});
