import { newId } from "@softchat/sdk";
import { useRef } from "react";

/**
 * The Idempotency-Key of one attempt at a money operation. It stays the same while the user retries the
 * same operation (a timeout, a lost reply: the server then answers with the first result instead of moving
 * money twice) and changes as soon as the operation changes (other values) or after it succeeded.
 */
export function useAttemptKey(fingerprint: string) {
  const current = useRef<{ fingerprint: string; key: string } | null>(null);
  return {
    /** The key for this operation, made on first use. */
    keyFor(): string {
      if (current.current?.fingerprint !== fingerprint) current.current = { fingerprint, key: newId() };
      return current.current.key;
    },
    /** After success: the next operation, even with the same values, is a new one. */
    done(): void {
      current.current = null;
    },
  };
}
