import { Component, type ErrorInfo, type ReactNode } from "react";

interface State {
  error: Error | null;
}

/**
 * Catches a screen that failed to load or render. A failed lazy chunk usually means a new version was
 * deployed since this page loaded (its old chunks are gone), so the way out offered is a reload.
 */
export class ScreenBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.warn("screen failed", error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    const chunkFailed = /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(
      error.message,
    );
    return (
      <div className="page">
        <div role="alert" className="card">
          <h1>{chunkFailed ? "Softchat was updated" : "Something went wrong"}</h1>
          <p>
            {chunkFailed
              ? "A newer version is available, or the network dropped while loading this screen."
              : "This screen hit an error. Reloading usually fixes it."}
          </p>
          <button type="button" className="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    );
  }
}
