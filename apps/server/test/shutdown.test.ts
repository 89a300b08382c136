import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type ChildRun, childServerEnv, runEntryPoint } from "./child-server.js";
import { engines, eventually } from "./harness.js";

interface Reply {
  status: number;
  body: string;
}

/** One request on a connection of its own (no pooling), so "a new connection" means exactly that. */
function get(port: number, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Starts the entry point and waits until it prints the address it listens on. */
async function startNode(env: Record<string, string>): Promise<{ run: ChildRun; port: number }> {
  const run = runEntryPoint(env);
  const port = await eventually(
    () => {
      const code = run.child.exitCode;
      if (code !== null) throw new Error(`exited with ${code} before listening: ${run.stderr()}`);
      const match = /Softchat is running at http:\/\/[^:]+:(\d+)/.exec(run.stdout());
      if (!match) throw new Error("not listening yet");
      return Number(match[1]);
    },
    45_000,
    50,
  );
  return { run, port };
}

/** Waits until the node has logged the start of a request to `url`: it is in flight from then on. */
function inFlight(run: ChildRun, url: string): Promise<unknown> {
  return eventually(() => {
    const seen = run
      .logs()
      .some((l) => l.msg === "incoming request" && (l.req as { url?: string })?.url === url);
    if (!seen) throw new Error(`${url} not started yet`);
    return true;
  });
}

describe.each(engines)("graceful shutdown of the real entry point (%s)", (engine) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function node(extra: Record<string, string> = {}) {
    const setup = await childServerEnv(engine, { TEST_ROUTES: "true", ...extra });
    cleanups.push(() => setup.cleanup());
    const started = await startNode(setup.env);
    cleanups.push(() => {
      if (started.run.child.exitCode === null) started.run.child.kill("SIGKILL");
    });
    return started;
  }

  it("SIGTERM refuses new connections, finishes the request in flight, closes the database and exits 0", async () => {
    const { run, port } = await node();
    expect((await get(port, "/health")).status).toBe(200);
    const slow = get(port, "/__test/slow?ms=1500");
    await inFlight(run, "/__test/slow?ms=1500");
    run.child.kill("SIGTERM");
    await eventually(async () => {
      await expect(get(port, "/health")).rejects.toThrow(/ECONNREFUSED/);
    });
    const reply = await slow;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ waitedMs: 1500 });
    expect(await run.exited).toBe(0);
    const messages = run.logs().map((l) => l.msg);
    expect(messages).toContain("shutting down");
    expect(messages.at(-1)).toBe("shutdown complete");
    expect(run.stderr()).toBe("");
  });

  it("a second SIGTERM exits at once without waiting for the request in flight", async () => {
    const { run, port } = await node();
    const slow = get(port, "/__test/slow?ms=20000");
    const abandoned = slow.then(
      () => "answered",
      () => "connection dropped",
    );
    await inFlight(run, "/__test/slow?ms=20000");
    const signalledAt = Date.now();
    run.child.kill("SIGTERM");
    await eventually(() => expect(run.logs().map((l) => l.msg)).toContain("shutting down"));
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(1);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(await abandoned).toBe("connection dropped");
    expect(run.logs().map((l) => l.msg)).toContain("second signal, exiting now");
  });

  it("a drain longer than SHUTDOWN_TIMEOUT_MS is cut short with exit code 1", async () => {
    const { run, port } = await node({ SHUTDOWN_TIMEOUT_MS: "500" });
    void get(port, "/__test/slow?ms=20000").catch(() => {});
    await inFlight(run, "/__test/slow?ms=20000");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(1);
    expect(run.logs().map((l) => l.msg)).toContain("shutdown timed out, exiting");
  });
});
