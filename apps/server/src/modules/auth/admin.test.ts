import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, registerUser, type TestUser } from "../../../test/factories.js";
import { engines, eventually, startTestServer, type TestServer } from "../../../test/harness.js";
import { SYSTEM_ACTOR } from "../../platform/audit/index.js";
import { updateUserByAdmin } from "./service.js";

describe.each(engines)("admin user changes on %s", (engine) => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await createUser(server.platform, { role: "admin" });
  });
  afterAll(async () => {
    await server?.close();
  });

  const patchUser = (userId: string, body: unknown, token = admin.token) =>
    server.request("PATCH", `/api/admin/users/${userId}`, { token, body });

  const notificationsOf = async (userId: string) =>
    (
      await server.platform.db.query<{ type: string; title: string; priority: string }>(
        "SELECT type, title, priority FROM notifications WHERE user_id = $1 ORDER BY created_at",
        [userId],
      )
    ).rows;

  it("an admin's change of KYC level, role and frozen shows in the user's /me", async () => {
    const target = await registerUser(server);
    const res = await patchUser(target.user.id, { kycLevel: 3, role: "creator", frozen: true });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: target.user.id, kycLevel: 3, role: "creator", frozen: true });
    const me = await server.request("GET", "/api/auth/me", { token: target.accessToken });
    expect(me.body.user).toMatchObject({ kycLevel: 3, role: "creator", frozen: true });
  });

  it("records the change in the audit log with who made it and the values before and after", async () => {
    const target = await registerUser(server);
    await patchUser(target.user.id, { kycLevel: 2 });
    const { rows } = await server.platform.db.query<{ actor_id: string; before: unknown; after: unknown }>(
      "SELECT actor_id, before, after FROM audit_log WHERE action = 'admin.user.update' AND subject_id = $1",
      [target.user.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_id: admin.id,
      before: { kycLevel: 1, role: "user", frozen: false },
      after: { kycLevel: 2, role: "user", frozen: false },
    });
  });

  it("a frozen user is told by a security notification, and again when unfrozen", async () => {
    const target = await registerUser(server);
    await patchUser(target.user.id, { frozen: true });
    await eventually(async () =>
      expect(await notificationsOf(target.user.id)).toEqual([
        expect.objectContaining({ type: "security", title: "Your account is frozen", priority: "critical" }),
      ]),
    );
    await patchUser(target.user.id, { frozen: false });
    await eventually(async () => expect(await notificationsOf(target.user.id)).toHaveLength(2));
    expect((await notificationsOf(target.user.id))[1]?.title).toBe("Your account is unfrozen");
  });

  it("an invalid change changes nothing and notifies no one", async () => {
    const target = await registerUser(server);
    const res = await patchUser(target.user.id, { frozen: true, kycLevel: 7 });
    expect(res.status).toBe(400);
    const me = await server.request("GET", "/api/auth/me", { token: target.accessToken });
    expect(me.body.user).toMatchObject({ frozen: false, kycLevel: 1 });
    expect(await notificationsOf(target.user.id)).toEqual([]);
  });

  it("a frozen user can still sign in", async () => {
    const target = await registerUser(server);
    await patchUser(target.user.id, { frozen: true });
    const res = await server.request("POST", "/api/auth/login", {
      body: { email: target.user.email, password: target.password },
    });
    expect(res.status).toBe(200);
    expect(res.body.user.frozen).toBe(true);
  });

  it("a refresh after a role change issues tokens with the new role", async () => {
    const target = await registerUser(server);
    const other = await registerUser(server);
    expect((await patchUser(other.user.id, { kycLevel: 2 }, target.accessToken)).status).toBe(403);

    await patchUser(target.user.id, { role: "admin" });
    const refreshed = await server.request("POST", "/api/auth/refresh", {
      body: { refreshToken: target.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect((await patchUser(other.user.id, { kycLevel: 2 }, refreshed.body.accessToken)).status).toBe(200);
  });

  it("a user who is not an admin gets 403", async () => {
    const user = await registerUser(server);
    const res = await patchUser(user.user.id, { kycLevel: 3 }, user.accessToken);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    const me = await server.request("GET", "/api/auth/me", { token: user.accessToken });
    expect(me.body.user.kycLevel).toBe(1);
  });

  it("without a token the admin route answers 401", async () => {
    const res = await server.request("PATCH", `/api/admin/users/${randomUUID()}`, { body: { kycLevel: 2 } });
    expect(res.status).toBe(401);
  });

  it("an unknown user is 404 and an unknown field is 400", async () => {
    expect((await patchUser(randomUUID(), { kycLevel: 2 })).status).toBe(404);
    const target = await registerUser(server);
    const res = await patchUser(target.user.id, { email: "x@example.test" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
  });

  it("other modules can freeze a user as the system through updateUserByAdmin", async () => {
    const target = await registerUser(server);
    const user = await updateUserByAdmin(server.platform, SYSTEM_ACTOR, target.user.id, { frozen: true });
    expect(user.frozen).toBe(true);
    const me = await server.request("GET", "/api/auth/me", { token: target.accessToken });
    expect(me.body.user.frozen).toBe(true);
  });

  it("updateUserByAdmin refuses an actor who is not an admin", async () => {
    const target = await registerUser(server);
    const actor = { actorId: target.user.id, actorRole: "user", ip: null, requestId: null };
    await expect(
      updateUserByAdmin(server.platform, actor, target.user.id, { frozen: true }),
    ).rejects.toMatchObject({
      code: "forbidden",
    });
  });
});
