import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser } from "../../../test/factories.js";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";

describe.each(engines)("auth on %s", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  describe("registration", () => {
    it("creates an account and signs it in", async () => {
      const res = await server.request("POST", "/api/auth/register", {
        body: { email: "Dana@Example.test", username: "dana", password: "correct horse" },
      });
      expect(res.status).toBe(201);
      expect(res.body.user).toMatchObject({
        email: "dana@example.test",
        username: "dana",
        role: "user",
        kycLevel: 1,
        frozen: false,
      });
      expect(res.body.accessToken).toEqual(expect.any(String));
      expect(res.body.refreshToken).toEqual(expect.any(String));
      const me = await server.request("GET", "/api/auth/me", { token: res.body.accessToken });
      expect(me.status).toBe(200);
      expect(me.body.user).toEqual(res.body.user);
    });

    it("refuses an email that is already registered, whatever its case, with 409 conflict", async () => {
      const first = await registerUser(server);
      const res = await server.request("POST", "/api/auth/register", {
        body: { email: first.user.email.toUpperCase(), username: "someone_else", password: "password123" },
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "conflict", details: { field: "email" } });
    });

    it("refuses a username that is already taken, whatever its case, with 409 conflict", async () => {
      const first = await registerUser(server);
      const res = await server.request("POST", "/api/auth/register", {
        body: {
          email: "fresh@example.test",
          username: first.user.username.toUpperCase(),
          password: "password123",
        },
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: "conflict", details: { field: "username" } });
    });

    it("refuses a password under 8 characters with 400 validation_failed naming the field", async () => {
      const res = await server.request("POST", "/api/auth/register", {
        body: { email: "short@example.test", username: "shorty", password: "1234567" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
      expect(res.body.error.details.fields).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: "body.password" })]),
      );
    });
  });

  describe("sign-in", () => {
    it("signs in with the right email and password", async () => {
      const { user, password } = await registerUser(server);
      const res = await server.request("POST", "/api/auth/login", { body: { email: user.email, password } });
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual(user);
      const me = await server.request("GET", "/api/auth/me", { token: res.body.accessToken });
      expect(me.body.user.id).toBe(user.id);
    });

    it("answers a wrong password and an unknown email with the same 401", async () => {
      const { user } = await registerUser(server);
      const wrongPassword = await server.request("POST", "/api/auth/login", {
        body: { email: user.email, password: "not-the-password" },
      });
      const unknownEmail = await server.request("POST", "/api/auth/login", {
        body: { email: "nobody@example.test", password: "not-the-password" },
      });
      expect(wrongPassword.status).toBe(401);
      expect(unknownEmail.status).toBe(401);
      expect(wrongPassword.body.error.code).toBe("unauthenticated");
      expect(unknownEmail.body).toEqual(wrongPassword.body);
    });
  });

  describe("refresh tokens", () => {
    it("rotates: a refresh returns a new pair and the new access token works", async () => {
      const session = await registerUser(server);
      const res = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(res.status).toBe(200);
      expect(res.body.refreshToken).not.toBe(session.refreshToken);
      const me = await server.request("GET", "/api/auth/me", { token: res.body.accessToken });
      expect(me.body.user.id).toBe(session.user.id);
    });

    it("a reused refresh token is refused and signs out its whole session", async () => {
      const session = await registerUser(server);
      const rotated = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(rotated.status).toBe(200);

      const replay = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe("token_reused");

      // The legitimate latest token of that session is revoked too.
      const latest = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: rotated.body.refreshToken },
      });
      expect(latest.status).toBe(401);
    });

    it("another session of the same user survives a reuse in the first", async () => {
      const first = await registerUser(server);
      const second = await server.request("POST", "/api/auth/login", {
        body: { email: first.user.email, password: first.password },
      });
      await server.request("POST", "/api/auth/refresh", { body: { refreshToken: first.refreshToken } });
      await server.request("POST", "/api/auth/refresh", { body: { refreshToken: first.refreshToken } });
      const res = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: second.body.refreshToken },
      });
      expect(res.status).toBe(200);
    });

    it("refuses an expired refresh token with 401", async () => {
      const session = await registerUser(server);
      await server.platform.db.query(
        "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1",
        [session.user.id],
      );
      const res = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    });

    it("refuses an unknown refresh token with 401", async () => {
      const res = await server.request("POST", "/api/auth/refresh", { body: { refreshToken: "made-up" } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    });

    it("logout answers 204 and the refresh token no longer works", async () => {
      const session = await registerUser(server);
      const res = await server.request("POST", "/api/auth/logout", {
        body: { refreshToken: session.refreshToken },
      });
      expect(res.status).toBe(204);
      const after = await server.request("POST", "/api/auth/refresh", {
        body: { refreshToken: session.refreshToken },
      });
      expect(after.status).toBe(401);
    });
  });

  describe("access tokens", () => {
    const secret = new TextEncoder().encode("test-secret-test-secret-test-secret-0123456789");
    const claims = (sub: string) => new SignJWT({ role: "user" }).setSubject(sub).setIssuer("softchat");

    it("refuses a request without a token", async () => {
      const res = await server.request("GET", "/api/auth/me");
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("unauthenticated");
    });

    it("refuses an expired token", async () => {
      const { user } = await registerUser(server);
      const expired = await claims(user.id)
        .setProtectedHeader({ alg: "HS256" })
        .setAudience("softchat:access")
        .setIssuedAt(Math.floor(Date.now() / 1000) - 120)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(secret);
      const res = await server.request("GET", "/api/auth/me", { token: expired });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(/expired/i);
    });

    it("refuses a token whose payload was tampered with", async () => {
      const { user, accessToken } = await registerUser(server);
      const [header, , signature] = accessToken.split(".");
      const forged = Buffer.from(
        JSON.stringify({ sub: user.id, role: "admin", exp: 9_999_999_999 }),
      ).toString("base64url");
      const res = await server.request("GET", "/api/auth/me", { token: `${header}.${forged}.${signature}` });
      expect(res.status).toBe(401);
    });

    it("refuses an unsigned alg:none token", async () => {
      const { user } = await registerUser(server);
      const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString("base64url");
      const payload = {
        sub: user.id,
        role: "admin",
        iss: "softchat",
        aud: "softchat:access",
        exp: 9_999_999_999,
      };
      const token = `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
      const res = await server.request("GET", "/api/auth/me", { token });
      expect(res.status).toBe(401);
    });

    it("refuses a token signed with another secret", async () => {
      const { user } = await registerUser(server);
      const token = await claims(user.id)
        .setProtectedHeader({ alg: "HS256" })
        .setAudience("softchat:access")
        .setExpirationTime("5m")
        .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
      const res = await server.request("GET", "/api/auth/me", { token });
      expect(res.status).toBe(401);
    });
  });
});
