/** A set of callbacks with one argument list; a throwing listener never stops the others. */
export class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();

  add(listener: (...args: A) => void): () => void {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  }

  emit(...args: A): void {
    for (const listener of [...this.set]) {
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
  }
}

function reportListenerError(err: unknown): void {
  // Reported, not rethrown: one broken view must not stop delivery to the others (or crash a Node process).
  console.error("softchat: an event listener threw", err);
}
