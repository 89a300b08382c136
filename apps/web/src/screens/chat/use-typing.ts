import { useCallback, useEffect, useRef, useState } from "react";
import { client } from "../../api/client.js";
import { useSocketEvent } from "../../app/hooks.js";

/** A typing indicator with no `typing: false` (a closed tab) disappears after this long. */
const TYPING_TTL_MS = 6000;
/** While typing, `start_typing` is repeated this often at most; `stop_typing` follows this much idle time. */
const TYPING_RESEND_MS = 3000;
const TYPING_IDLE_MS = 2500;

/** Who else is typing in the room right now. */
export function useTypingUsers(roomId: string, myId: string): string[] {
  const [typing, setTyping] = useState<Map<string, number>>(new Map());

  useSocketEvent("typing", (event) => {
    if (event.roomId !== roomId || event.userId === myId) return;
    setTyping((current) => {
      const next = new Map(current);
      if (event.typing) next.set(event.userId, Date.now() + TYPING_TTL_MS);
      else next.delete(event.userId);
      return next;
    });
  });

  // A sent message ends its sender's typing.
  useSocketEvent("message_received", (event) => {
    if (event.roomId !== roomId) return;
    setTyping((current) => {
      if (!current.has(event.message.senderId)) return current;
      const next = new Map(current);
      next.delete(event.message.senderId);
      return next;
    });
  });

  useEffect(() => {
    if (typing.size === 0) return;
    const timer = setInterval(() => {
      const now = Date.now();
      setTyping((current) => {
        const next = new Map([...current].filter(([, until]) => until > now));
        return next.size === current.size ? current : next;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [typing.size]);

  return [...typing.keys()];
}

/** Tells the room when I start and stop typing, without an event per keystroke. */
export function useTypingSender(roomId: string) {
  const lastSent = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const stop = useCallback(() => {
    clearTimeout(idle.current);
    idle.current = undefined;
    if (lastSent.current === 0) return;
    lastSent.current = 0;
    client.realtime.stopTyping(roomId).catch(() => {});
  }, [roomId]);

  const onInput = useCallback(() => {
    const now = Date.now();
    if (now - lastSent.current > TYPING_RESEND_MS) {
      lastSent.current = now;
      client.realtime.startTyping(roomId).catch(() => {});
    }
    clearTimeout(idle.current);
    idle.current = setTimeout(stop, TYPING_IDLE_MS);
  }, [roomId, stop]);

  useEffect(() => stop, [stop]);

  return { onInput, stop };
}
