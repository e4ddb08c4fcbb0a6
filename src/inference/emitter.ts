/**
 * A tiny typed event emitter with the same shape as `vscode.Event` (subscribe returns a disposable), so the host
 * can pass our events around like VS Code's own without this module importing `vscode`.
 */

export interface Disposable {
  dispose(): void;
}

/** Subscribe to an event; call `dispose()` on the result to unsubscribe. */
export type EngineEvent<T> = (listener: (event: T) => void) => Disposable;

export class Emitter<T> {
  private listeners = new Set<(event: T) => void>();

  /** The subscribe function to expose publicly. */
  readonly event: EngineEvent<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener; a throwing listener is isolated from the others and from the emitter's caller. */
  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A bug in a listener must not break the engine client.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
