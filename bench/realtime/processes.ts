import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { root } from "./util.js";

/** A server running as a child process, so the memory and CPU read are the server's alone. */
export interface ServerProcess {
  port: number;
  rssKb(): number;
  /** CPU time the process has used so far (user + system), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Starts a server as a child process and waits for the line that gives its port. */
export function spawnServer(
  args: string[],
  env: Record<string, string>,
  portOf: (line: string) => number | null,
) {
  const script = args.at(-1) ?? "server";
  return new Promise<ServerProcess>((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Never leave a server behind, however this process ends.
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    child.once("exit", () => process.off("exit", kill));
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += String(chunk);
    });
    child.on("exit", (code) => reject(new Error(`${script} exited (${code}): ${stderr.slice(-2000)}`)));
    child.stdout?.on("data", (chunk) => {
      for (const line of String(chunk).split("\n")) {
        const port = portOf(line);
        if (port === null) continue;
        resolve({
          port,
          rssKb: () =>
            Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0),
          cpuMs: () => {
            // Fields 14 and 15 of /proc/<pid>/stat: utime and stime in clock ticks (100 per second on Linux).
            const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
            return (Number(fields[11]) + Number(fields[12])) * 10;
          },
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners("exit");
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
            }),
        });
      }
    });
  });
}

/** The port from Softchat's start banner. */
export const softchatPort = (line: string) => {
  const m = /running at http:\/\/[^:]+:(\d+)/.exec(line);
  return m ? Number(m[1]) : null;
};

/** The port the peer prints as `{"port":N}`. */
export const peerPort = (line: string) => {
  const m = /^\{"port":(\d+)\}/.exec(line.trim());
  return m ? Number(m[1]) : null;
};
