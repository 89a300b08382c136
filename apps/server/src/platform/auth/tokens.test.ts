import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { createTokenService } from "./tokens.js";

const SECRET = "tokens-test-secret-tokens-test-secret-0123";
const tokens = createTokenService(SECRET, 60);
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with our secret whose claims and header the test chooses. */
function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return new SignJWT({ role: "user", ...claims })
    .setProtectedHeader({ alg: "HS256", ...header })
    .setSubject("2f1f4d3e-8c3b-4a52-9a55-2b0d3c4e5f60")
    .sign(key);
}

const good = { iss: "softchat", aud: "softchat:access", exp: now() + 60 };

describe("access tokens", () => {
  it("accepts what it signed, with the actor inside", async () => {
    const token = await tokens.signAccess({ userId: "2f1f4d3e-8c3b-4a52-9a55-2b0d3c4e5f60", role: "admin" });
    expect(await tokens.verifyAccess(token)).toEqual({
      userId: "2f1f4d3e-8c3b-4a52-9a55-2b0d3c4e5f60",
      role: "admin",
    });
    expect(await tokens.verifyAccess(await signed(good))).toMatchObject({ role: "user" });
  });

  it("refuses a well-signed token with the wrong issuer, audience, role, no expiry, or not valid yet", async () => {
    for (const claims of [
      { ...good, iss: "elsewhere" },
      { ...good, aud: "softchat:refresh" },
      { ...good, role: "root" },
      { iss: good.iss, aud: good.aud },
      { ...good, nbf: now() + 30 },
    ]) {
      await expect(tokens.verifyAccess(await signed(claims))).rejects.toMatchObject({
        code: "unauthenticated",
        message: "Invalid access token",
      });
    }
    await expect(tokens.verifyAccess(await signed({ ...good, exp: now() - 1 }))).rejects.toMatchObject({
      message: "Access token expired",
    });
  });

  it("refuses headers it does not understand and malformed or re-signed tokens", async () => {
    const crit = await new SignJWT({ role: "user", ...good })
      .setProtectedHeader({ alg: "HS256", crit: ["b64"], b64: true })
      .setSubject("2f1f4d3e-8c3b-4a52-9a55-2b0d3c4e5f60")
      .sign(key)
      .catch(() => null);
    const token = await signed(good);
    const [h, p, s] = token.split(".");
    const hs512 = await new SignJWT({ role: "user", ...good })
      .setProtectedHeader({ alg: "HS512" })
      .setSubject("2f1f4d3e-8c3b-4a52-9a55-2b0d3c4e5f60")
      .sign(key);
    for (const bad of [
      ...(crit ? [crit] : []),
      hs512,
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}=`,
      `${h}.${p}.${(s ?? "").slice(0, -2)}`,
      "not-a-token",
    ]) {
      await expect(tokens.verifyAccess(bad)).rejects.toMatchObject({ code: "unauthenticated" });
    }
  });
});
