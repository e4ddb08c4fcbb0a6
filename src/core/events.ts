/**
 * The smallest event emitter pure code needs (src/core may not use Node's `events`). `event` has the
 * `(listener) => Disposable` shape of `vscode.Event` and of the backend seam's events, so the host hands it on as is;
 * the engine client in src/inference uses it too.
 */
import type { BackendEvent, Disposable } from "./backend/types.ts";

export type { Disposable };
export type Event<T> = BackendEvent<T>;

export class EventEmitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) notify(listener, value);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

function notify<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch {
    // Listeners keep statistics and logs: a bug in one must not fail the request that fired the event.
  }
}
