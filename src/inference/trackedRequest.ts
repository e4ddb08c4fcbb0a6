/**
 * One jsonrpc request that is guaranteed to settle exactly once: with the answer, with the typed failure, with
 * `EngineCancelledError` when the caller's signal aborts (or `onAbort()`'s value once the child has had
 * `cancelGraceMs` to send its partial answer), or through `InFlight.reject` when the client rejects everything in
 * flight (crash, dispose).
 */
import { CancellationTokenSource, type CancellationToken, type MessageConnection } from "vscode-jsonrpc/node.js";
import { EngineCancelledError } from "./errors.ts";

export interface InFlight {
  reject: (error: Error) => void;
}

export interface TrackedRequest<R> {
  connection: MessageConnection;
  send: (connection: MessageConnection, token: CancellationToken) => Promise<R>;
  signal: AbortSignal | undefined;
  /** Registry of requests to reject on crash or dispose; the entry is removed when the request settles. */
  inFlight: Set<InFlight>;
  cancelGraceMs: number;
  /** When set, an abort waits for the child's answer (partial result) and falls back to this after the grace time. */
  onAbort?: () => R;
  /** Turns a rejection of `send` into the error to throw (crash vs. typed engine error). */
  failure: (error: unknown) => Error;
}

export function sendTracked<R>(request: TrackedRequest<R>): Promise<R> {
  const { signal, inFlight } = request;
  return new Promise<R>((resolve, reject) => {
    const cts = new CancellationTokenSource();
    let graceTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const entry: InFlight = { reject: (error) => finish(() => reject(error)) };
    const onAbort = (): void => {
      // Tells the child (jsonrpc $/cancelRequest → AbortSignal there).
      cts.cancel();
      const fallback = request.onAbort;
      if (fallback == null) entry.reject(new EngineCancelledError());
      else graceTimer = setTimeout(() => finish(() => resolve(fallback())), request.cancelGraceMs);
    };
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(graceTimer);
      inFlight.delete(entry);
      signal?.removeEventListener("abort", onAbort);
      cts.dispose();
      settle();
    };
    inFlight.add(entry);
    signal?.addEventListener("abort", onAbort);
    let pending: Promise<R>;
    try {
      pending = request.send(request.connection, cts.token);
    } catch (error) {
      finish(() => reject(request.failure(error)));
      return;
    }
    pending.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(request.failure(error))),
    );
  });
}
