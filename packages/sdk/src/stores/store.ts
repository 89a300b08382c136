/**
 * The smallest external store: an immutable snapshot replaced on every change, and subscribers told about
 * it. Shaped for React's useSyncExternalStore but free of React, so any UI (or a test) can use it.
 */
export class SnapshotStore<S> {
  private snapshot: S;
  private readonly listeners = new Set<() => void>();

  constructor(initial: S) {
    this.snapshot = initial;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): S => this.snapshot;

  protected update(patch: Partial<S>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.listeners]) listener();
  }
}
