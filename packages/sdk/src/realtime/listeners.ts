/** A set of callbacks with one argument list; a throwing listener never stops the others. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  // A copy taken on change, not on every event: a listener added or removed while an event is being
  // delivered takes effect from the next event, without an allocation per event on a busy socket.
  private snapshot: Array<(...args: A) => void> = [];

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    this.snapshot = [...this.set];
    return () => {
      if (this.set.delete(listener)) this.snapshot = [...this.set];
    };
  }

  emit(...args: A): void {
    for (const listener of this.snapshot) {
      try {
        listener(...args);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
    this.snapshot = [];
  }
}

function reportListenerError(err: unknown): void {
  // Reported, not rethrown: one broken view must not stop delivery to the others (or crash a Node process).
  console.error("softchat: an event listener threw", err);
}
