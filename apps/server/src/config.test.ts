import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runEntryPoint } from "../test/child-server.js";
import { ConfigError, loadConfig } from "./config.js";

describe("configuration", () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "softchat-config-"));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("with nothing set, starts embedded on port 3000 with the owner's rate limits", () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config.mode).toBe("embedded");
    expect(config.PORT).toBe(3000);
    expect(config.RATE_LIMIT_AUTH).toEqual({ points: 5, durationSec: 900 });
    expect(config.RATE_LIMIT_API).toEqual({ points: 100, durationSec: 60 });
    expect(config.RATE_LIMIT_PAYMENTS).toEqual({ points: 10, durationSec: 3600 });
    expect(config.RATE_LIMIT_IP).toEqual({ points: 300, durationSec: 60 });
    expect(config.CORS_ORIGINS).toEqual([]);
  });

  it("a bad value is refused with one line that names the variable", () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ PORT: "abc" }, "PORT"],
      [{ PORT: "70000" }, "PORT"],
      [{ RATE_LIMIT_API: "lots" }, "RATE_LIMIT_API"],
      [{ DATABASE_URL: "not a url" }, "DATABASE_URL"],
      [{ JWT_SECRET: "short" }, "JWT_SECRET"],
      [{ SEED_DEMO: "maybe" }, "SEED_DEMO"],
      [{ BODY_LIMIT_BYTES: "-1" }, "BODY_LIMIT_BYTES"],
    ];
    for (const [env, name] of cases) {
      let error: unknown;
      try {
        loadConfig({ DATA_DIR: dataDir(), ...env });
      } catch (err) {
        error = err;
      }
      expect(error, name).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message.startsWith(`Invalid ${name}:`), message).toBe(true);
      expect(message).not.toContain("\n");
    }
  });

  it("a rate-limit tier reads <points>/<window> in seconds, minutes, hours or days", () => {
    const config = loadConfig({ DATA_DIR: dataDir(), RATE_LIMIT_AUTH: "7/2h", RATE_LIMIT_SOCKET: "50/30s" });
    expect(config.RATE_LIMIT_AUTH).toEqual({ points: 7, durationSec: 7200 });
    expect(config.RATE_LIMIT_SOCKET).toEqual({ points: 50, durationSec: 30 });
  });

  it("in embedded mode a missing JWT_SECRET is generated once and kept under DATA_DIR", () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(statSync(join(dir, "jwt-secret")).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATA_DIR: dataDir() }).jwtSecret).not.toBe(first.jwtSecret);
  });

  it("a JWT_SECRET that is set wins over the kept one", () => {
    const dir = dataDir();
    loadConfig({ DATA_DIR: dir });
    const secret = "s".repeat(40);
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: secret }).jwtSecret).toBe(secret);
  });

  it("NODE_ENV=production without JWT_SECRET is refused, and no secret is generated", () => {
    const dir = dataDir();
    expect(() => loadConfig({ NODE_ENV: "production", DATA_DIR: dir })).toThrow(
      new ConfigError("Invalid JWT_SECRET: required when NODE_ENV=production"),
    );
    expect(() => statSync(join(dir, "jwt-secret"))).toThrow();
  });

  it("ADMIN_EMAIL without ADMIN_PASSWORD is refused", () => {
    expect(() => loadConfig({ DATA_DIR: dataDir(), ADMIN_EMAIL: "root@softchat.test" })).toThrow(ConfigError);
  });

  it("the real entry point stops on a bad value with one stderr line naming it and exit code 1", async () => {
    const bad: Array<{ env: Record<string, string>; name: string }> = [
      { env: { PORT: "abc" }, name: "PORT" },
      { env: { RATE_LIMIT_API: "lots" }, name: "RATE_LIMIT_API" },
      { env: { NODE_ENV: "production" }, name: "JWT_SECRET" },
    ];
    const runs = bad.map(({ env, name }) => ({ name, run: runEntryPoint({ DATA_DIR: dataDir(), ...env }) }));
    for (const { name, run } of runs) {
      expect(await run.exited).toBe(1);
      const lines = run.stderr().split("\n").filter(Boolean);
      expect(lines, run.stderr()).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^softchat: Invalid ${name}: `));
      expect(run.stdout()).not.toContain("running at");
    }
  });
});
