import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** A real Softchat server process, for tests of several nodes sharing one PostgreSQL and Redis. */
export interface Node {
  url: string;
  process: ChildProcess;
  dataDir: string;
}

/** Starts `node --import tsx apps/server/src/main.ts` and resolves once it prints where it listens. */
export function startNode(env: Record<string, string>): Promise<Node> {
  const dataDir = mkdtempSync(join(tmpdir(), "softchat-node-"));
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolveNode, reject) => {
    let output = "";
    const timeout = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timeout);
        resolveNode({ url: match[1], process: child, dataDir });
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timeout);
      reject(new Error(`node exited with ${code}:\n${output}`));
    });
  });
}

/** Stops a node with `signal` (SIGKILL to simulate a crash) and removes its data folder. */
export async function stopNode(node: Node, signal: NodeJS.Signals): Promise<void> {
  if (node.process.exitCode === null && node.process.signalCode === null) {
    const exited = new Promise((r) => node.process.once("exit", r));
    node.process.kill(signal);
    await exited;
  }
  rmSync(node.dataDir, { recursive: true, force: true });
}
