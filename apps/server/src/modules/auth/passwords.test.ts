import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./passwords.js";

describe("password hashes", () => {
  it("are salted scrypt hashes that carry their own parameters", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
  });

  it("accept the right password only", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", stored)).toBe(true);
    expect(await verifyPassword("correct horsE", stored)).toBe(false);
  });

  it("never match a missing, unusable or tampered hash", async () => {
    const stored = await hashPassword("correct horse");
    expect(await verifyPassword("correct horse", null)).toBe(false);
    expect(await verifyPassword("unusable", "unusable")).toBe(false);
    expect(await verifyPassword("correct horse", stored.replace("$16384$", "$4194304$"))).toBe(false);
  });
});
