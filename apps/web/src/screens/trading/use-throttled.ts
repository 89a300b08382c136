import { useCallback, useEffect, useRef, useState } from "react";

/** Repaints at most this often: a busy book or tape stays readable and cheap (the owner's 10 per second). */
export const REPAINT_MS = 100;

/**
 * A value fed from a fast stream (`push`), rendered at most once per REPAINT_MS with the latest value:
 * intermediate values are skipped, the last one always shows.
 */
export function useThrottledState<T>(initial: T) {
  const [value, setValue] = useState(initial);
  const latest = useRef(initial);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const lastPaint = useRef(0);

  useEffect(() => () => clearTimeout(timer.current), []);

  const push = useCallback((next: T) => {
    latest.current = next;
    if (timer.current) return;
    const wait = Math.max(0, lastPaint.current + REPAINT_MS - Date.now());
    timer.current = setTimeout(() => {
      timer.current = undefined;
      lastPaint.current = Date.now();
      setValue(latest.current);
    }, wait);
  }, []);
  return [value, push] as const;
}
