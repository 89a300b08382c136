import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createUser, type TestUser } from "../../../test/factories.js";
import { engines, startTestServer, type TestServer } from "../../../test/harness.js";
import { connectSocket, okData, type TestSocket } from "../../../test/realtime/socket-client.js";
import { notify } from "./service.js";

describe.each(engines)("notifications (%s)", (engine) => {
  let server: TestServer;
  let admin: TestUser;
  const sockets: TestSocket[] = [];
  const open = async (user: TestUser) => {
    const s = await connectSocket(server.url, user.token);
    sockets.push(s);
    return s;
  };
  const sendTo = (user: TestUser, title: string, priority = "normal") =>
    server.request("POST", "/api/notifications/send", {
      token: admin.token,
      body: { userId: user.id, type: "system", title, body: `${title} body`, priority },
    });

  beforeAll(async () => {
    server = await startTestServer(engine);
    admin = await createUser(server.platform, { role: "admin" });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server.close();
  });

  it("delivers a notification live to every device of its user, and only to that user", async () => {
    const [alice, bob] = [await createUser(server.platform), await createUser(server.platform)];
    const [phone, laptop, other] = [await open(alice), await open(alice), await open(bob)];
    const res = await sendTo(alice, "Welcome", "high");
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ sent: 1 });

    for (const device of [phone, laptop]) {
      const { notification } = await device.waitFor("new_notification");
      expect(notification).toMatchObject({
        userId: alice.id,
        type: "system",
        title: "Welcome",
        priority: "high",
        read: false,
      });
    }
    expect(other.events("new_notification")).toEqual([]);
  });

  it("lists a user's own notifications newest first with a cursor and an unread filter; others get 403", async () => {
    const [alice, bob] = [await createUser(server.platform), await createUser(server.platform)];
    for (const title of ["n1", "n2", "n3"]) await sendTo(alice, title);
    const base = `/api/notifications/${alice.id}`;
    const titles = (res: { body: { items: Array<{ title: string }> } }) => res.body.items.map((n) => n.title);

    const page1 = await server.request("GET", `${base}?limit=2`, { token: alice.token });
    expect(titles(page1)).toEqual(["n3", "n2"]);
    const page2 = await server.request("GET", `${base}?limit=2&cursor=${page1.body.nextCursor}`, {
      token: alice.token,
    });
    expect(titles(page2)).toEqual(["n1"]);
    expect(page2.body.nextCursor).toBeNull();

    const n2 = page1.body.items[1];
    const read = await server.request("PUT", `/api/notifications/${n2.id}/read`, { token: alice.token });
    expect(read.body.notification).toMatchObject({ id: n2.id, read: true });
    const unread = await server.request("GET", `${base}?unread=true`, { token: alice.token });
    expect(titles(unread)).toEqual(["n3", "n1"]);
    const count = await server.request("GET", `${base}/unread-count`, { token: alice.token });
    expect(count.body).toEqual({ count: 2 });

    expect((await server.request("GET", base, { token: bob.token })).status).toBe(403);
    expect((await server.request("GET", `${base}/unread-count`, { token: bob.token })).status).toBe(403);
    expect(
      (await server.request("PUT", `/api/notifications/${n2.id}/read`, { token: bob.token })).status,
    ).toBe(403);
    expect((await server.request("GET", base, { token: admin.token })).body.items).toHaveLength(3);
    const missing = await server.request("PUT", `/api/notifications/${randomUUID()}/read`, {
      token: alice.token,
    });
    expect(missing.status).toBe(404);
  });

  it("marks a notification read over the socket with mark_notification_read", async () => {
    const alice = await createUser(server.platform);
    const device = await open(alice);
    await sendTo(alice, "Read me");
    const { notification } = await device.waitFor("new_notification");
    const ack = okData(await device.request("mark_notification_read", { notificationId: notification.id }));
    expect(ack.notification).toMatchObject({ id: notification.id, read: true });
    expect(ack.notification.readAt).not.toBeNull();
    const count = await server.request("GET", `/api/notifications/${alice.id}/unread-count`, {
      token: alice.token,
    });
    expect(count.body.count).toBe(0);

    const bob = await createUser(server.platform);
    const bobDevice = await open(bob);
    const refused = await bobDevice.request("mark_notification_read", { notificationId: notification.id });
    expect(refused.ok ? "ok" : refused.error.code).toBe("forbidden");
  });

  it("lets only admins send, and an admin broadcast reaches every user", async () => {
    const [alice, bob] = [await createUser(server.platform), await createUser(server.platform)];
    const byUser = await server.request("POST", "/api/notifications/send", {
      token: alice.token,
      body: { broadcast: true, type: "system", title: "x", body: "y", priority: "low" },
    });
    expect(byUser.status).toBe(403);
    const neither = await server.request("POST", "/api/notifications/send", {
      token: admin.token,
      body: { type: "system", title: "x", body: "y", priority: "low" },
    });
    expect(neither.status).toBe(400);

    const [aliceDevice, bobDevice] = [await open(alice), await open(bob)];
    const users = await server.platform.db.query<{ count: string }>("SELECT count(*) AS count FROM users");
    const res = await server.request("POST", "/api/notifications/send", {
      token: admin.token,
      body: { broadcast: true, type: "system", title: "Maintenance", body: "Tonight", priority: "critical" },
    });
    expect(res.status).toBe(201);
    expect(res.body.sent).toBe(Number(users.rows[0]?.count));
    for (const device of [aliceDevice, bobDevice]) {
      const { notification } = await device.waitFor(
        "new_notification",
        (e) => e.notification.title === "Maintenance",
      );
      expect(notification.priority).toBe("critical");
    }
    const bobs = await server.request("GET", `/api/notifications/${bob.id}`, { token: bob.token });
    expect(bobs.body.items.map((n: { title: string }) => n.title)).toEqual(["Maintenance"]);
  });

  it("sends nothing when the notifying transaction rolls back", async () => {
    const alice = await createUser(server.platform);
    const device = await open(alice);
    await expect(
      server.platform.db.transaction(async (tx) => {
        await notify(server.platform, tx, { userId: alice.id, type: "security", title: "never", body: "" });
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await server.platform.db.transaction((tx) =>
      notify(server.platform, tx, { userId: alice.id, type: "security", title: "kept", body: "" }),
    );
    await device.waitFor("new_notification", (e) => e.notification.title === "kept");
    expect(device.events("new_notification").map((e) => e.notification.title)).toEqual(["kept"]);
    const list = await server.request("GET", `/api/notifications/${alice.id}`, { token: alice.token });
    expect(list.body.items.map((n: { title: string }) => n.title)).toEqual(["kept"]);
  });
});
