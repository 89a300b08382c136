import { useVirtualizer } from "@tanstack/react-virtual";
import { useLayoutEffect, useRef } from "react";
import type { OutgoingMessage } from "./outgoing.js";

/** One line of the conversation: a confirmed message, or one of mine still on its way. */
export interface MessageRowData {
  key: string;
  senderId: string;
  text: string;
  createdAt: string;
  pending?: OutgoingMessage;
}

interface Props {
  rows: MessageRowData[];
  myId: string;
  nameOf: (userId: string) => string;
  hasOlder: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
  /** The connection can deliver now (connected or polling); otherwise unsent messages wait for it. */
  live: boolean;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const NEAR_BOTTOM_PX = 120;
const NEAR_TOP_PX = 300;

function statusText(status: OutgoingMessage["status"], live: boolean): string {
  if (status === "failed") return "Not sent";
  return live ? "Sending…" : "Waiting for connection";
}

/**
 * The conversation as a virtualized list (only the rows on screen are in the DOM, however long the
 * history). It sticks to the bottom while the reader is there, keeps their place when older messages are
 * loaded above, and asks for older history when scrolled near the top.
 */
export function MessageList(props: Props) {
  const { rows, myId, nameOf, hasOlder, loadingOlder, onLoadOlder, onRetry, onDiscard, live } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const firstKey = useRef<string | undefined>(undefined);
  const lastKey = useRef<string | undefined>(undefined);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => 64,
    overscan: 8,
    getItemKey: (index) => rows[index]?.key ?? index,
    // React 19 warns about flushSync during render; async re-renders are smooth enough for a chat.
    useFlushSync: false,
  });

  useLayoutEffect(() => {
    const first = rows[0]?.key;
    const last = rows.at(-1)?.key;
    const prevFirst = firstKey.current;
    const prevLast = lastKey.current;
    firstKey.current = first;
    lastKey.current = last;
    if (rows.length === 0) return;
    if (prevLast === undefined) {
      virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
      return;
    }
    if (prevFirst !== undefined && first !== prevFirst) {
      // Older history arrived above: keep the message that was on top where the reader saw it.
      const prepended = rows.findIndex((r) => r.key === prevFirst);
      if (prepended > 0) virtualizer.scrollToIndex(prepended, { align: "start" });
      return;
    }
    const mineJustSent = rows.at(-1)?.pending !== undefined;
    if (last !== prevLast && (stickToBottom.current || mineJustSent)) {
      virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    }
  }, [rows, virtualizer]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (el.scrollTop < NEAR_TOP_PX && hasOlder && !loadingOlder) onLoadOlder();
  };

  return (
    <div
      ref={scrollRef}
      className="message-scroller"
      onScroll={onScroll}
      role="log"
      aria-label="Messages"
      aria-live="polite"
      aria-relevant="additions"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take focus so keyboard users can scroll it
      tabIndex={0}
      data-testid="message-list"
    >
      {loadingOlder && (
        <div className="older-status" role="status">
          Loading older messages…
        </div>
      )}
      {!hasOlder && rows.length > 0 && (
        <div className="older-status muted">This is the beginning of the room.</div>
      )}
      {rows.length === 0 && <p className="muted empty-room">No messages yet. Say hello!</p>}
      <div className="message-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          if (!row) return null;
          const mine = row.senderId === myId;
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="message-slot"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <div
                className={mine ? "message mine" : "message"}
                data-testid="message"
                data-status={
                  row.pending
                    ? row.pending.status === "failed"
                      ? "failed"
                      : live
                        ? "sending"
                        : "queued"
                    : undefined
                }
              >
                <div className="message-meta">
                  <span className="sender">{mine ? "You" : nameOf(row.senderId)}</span>{" "}
                  <time dateTime={row.createdAt}>{timeFormat.format(new Date(row.createdAt))}</time>
                </div>
                <div className="message-text">{row.text}</div>
                {row.pending && (
                  <div className="message-status" data-testid="message-status">
                    {statusText(row.pending.status, live)}
                    {row.pending.status === "failed" && (
                      <>
                        {row.pending.error && <span>: {row.pending.error}</span>}{" "}
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => onRetry(row.pending?.clientId ?? row.key)}
                        >
                          Retry
                        </button>{" "}
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => onDiscard(row.pending?.clientId ?? row.key)}
                        >
                          Discard
                        </button>
                      </>
                    )}
                  </div>
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
