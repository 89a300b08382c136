// A page that uses the React hooks the way an app would, for the browser test (react-hooks.test.ts).
// It renders what the hooks return into plain elements the test reads.
import { type FormEvent, createElement as h, StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { createClient } from "../../client.js";
import {
  SoftchatProvider,
  useConnectionState,
  useNotifications,
  usePresence,
  useRealTimeChat,
} from "../../react/index.js";

interface PageConfig {
  baseUrl: string;
  accessToken: string;
  roomId: string;
  peerId: string;
}

function Room({ roomId, peerId }: { roomId: string; peerId: string }) {
  const connection = useConnectionState();
  const chat = useRealTimeChat(roomId);
  const notifications = useNotifications();
  const presence = usePresence([peerId]);
  const [text, setText] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void chat.send(text);
    chat.setTyping(false);
    setText("");
  };
  return h(
    "main",
    null,
    h("output", { id: "connection" }, connection),
    h("output", { id: "ready" }, String(chat.ready)),
    h(
      "ul",
      { id: "messages" },
      chat.entries.map((entry) => h("li", { key: entry.key, "data-status": entry.status }, entry.text)),
    ),
    h("output", { id: "typing" }, chat.typingUserIds.join(",")),
    h("output", { id: "unread" }, String(notifications.unreadCount)),
    h(
      "ul",
      { id: "notifications" },
      notifications.items.map((n) =>
        h(
          "li",
          { key: n.id },
          h("button", { type: "button", onClick: () => void notifications.markRead(n.id) }, n.title),
        ),
      ),
    ),
    h("output", { id: "presence" }, presence[peerId]?.status ?? "unknown"),
    h(
      "form",
      { onSubmit: submit },
      h("input", {
        id: "text",
        "aria-label": "Message",
        value: text,
        onChange: (e: { target: { value: string } }) => {
          setText(e.target.value);
          chat.setTyping(e.target.value.length > 0);
        },
      }),
      h("button", { type: "submit" }, "Send"),
    ),
  );
}

// The repository's type-check runs without the DOM library; these are the two browser globals the page needs.
const browser = globalThis as unknown as {
  location: { hash: string };
  document: { getElementById(id: string): unknown };
};

async function main(): Promise<void> {
  const config = JSON.parse(decodeURIComponent(browser.location.hash.slice(1))) as PageConfig;
  const client = createClient({ baseUrl: config.baseUrl });
  await client.auth.signInWithTokens({ accessToken: config.accessToken });
  await client.auth.me();
  const container = browser.document.getElementById("root") as Element | null;
  if (!container) throw new Error("no #root");
  createRoot(container).render(
    h(
      StrictMode,
      null,
      h(SoftchatProvider, { client }, h(Room, { roomId: config.roomId, peerId: config.peerId })),
    ),
  );
}

void main();
