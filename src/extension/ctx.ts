import type * as vscode from "vscode";
import type { Config } from "./config.ts";

/**
 * The host's services, created once in `activate` and passed explicitly to every feature (no globals), so a test
 * or a second window gets its own set and `dispose()` tears all of it down.
 */
/** Anything with `dispose()`; an async one (the engine's graceful shutdown) is awaited. */
export interface Resource {
  dispose(): unknown;
}

export class Ctx {
  private readonly disposables: Resource[] = [];
  private disposed = false;

  constructor(
    readonly extensionContext: vscode.ExtensionContext,
    readonly config: Config,
    readonly log: vscode.LogOutputChannel,
  ) {}

  get extensionUri(): vscode.Uri {
    return this.extensionContext.extensionUri;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Registers something to dispose with the context; returns it for chaining. */
  track<T extends Resource>(disposable: T): T {
    if (this.disposed) {
      void disposable.dispose();
      throw new Error("Private Coder context is already disposed");
    }
    this.disposables.push(disposable);
    return disposable;
  }

  /** How many resources are still alive: the deactivation test checks it reaches zero. */
  get liveResourceCount(): number {
    return this.disposables.length;
  }

  /** Disposes everything in reverse order, awaiting async resources, so `deactivate()` leaves nothing running. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Reverse order: later resources may depend on earlier ones (a view on the engine, the engine on the log).
    for (const disposable of this.disposables.splice(0).reverse()) {
      try {
        await disposable.dispose();
      } catch (error) {
        this.log.error("Error while disposing", error instanceof Error ? error : String(error));
      }
    }
    this.config.dispose();
    this.log.dispose();
  }
}
