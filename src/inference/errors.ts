/**
 * Typed engine errors. The child throws {@link EngineError}; `toResponseError` puts its code into the JSON-RPC
 * error's `data`; the client rebuilds an `EngineError` (or the subclass for host-side failures) from it, so callers
 * can branch on `error.code` without parsing messages.
 */
import { ResponseError } from "vscode-jsonrpc";
import { ENGINE_ERROR_RPC_CODE, EngineErrorCode, type EngineErrorData } from "./protocol.ts";

export class EngineError extends Error {
  override readonly name: string = "EngineError";
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    readonly details: EngineErrorData["details"] = undefined,
  ) {
    super(message);
  }
}

/** The child died (crash, native abort, out-of-memory kill) while the request was in flight. */
export class EngineCrashedError extends EngineError {
  override readonly name = "EngineCrashedError";
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(EngineErrorCode.Crashed, message, { exitCode, signal });
  }
}

/** The request was cancelled (by the caller's AbortSignal, or superseded by a newer completion). */
export class EngineCancelledError extends EngineError {
  override readonly name = "EngineCancelledError";
  constructor(message = "The request was cancelled.", code: "cancelled" | "superseded" = EngineErrorCode.Cancelled) {
    super(code, message);
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}

/** Child side: the JSON-RPC error for any thrown value (unknown errors become `internal`). */
export function toResponseError(error: unknown): ResponseError<EngineErrorData> {
  if (error instanceof ResponseError) return error as ResponseError<EngineErrorData>;
  if (error instanceof EngineError) {
    return new ResponseError<EngineErrorData>(ENGINE_ERROR_RPC_CODE, error.message, {
      code: error.code,
      ...(error.details ? { details: error.details } : {}),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ResponseError<EngineErrorData>(ENGINE_ERROR_RPC_CODE, message, { code: EngineErrorCode.Internal });
}

/** Host side: an `EngineError` from whatever a request rejected with. */
export function fromRpcError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof ResponseError) {
    const data = error.data as Partial<EngineErrorData> | undefined;
    const code = data?.code ?? EngineErrorCode.Internal;
    if (code === EngineErrorCode.Cancelled || code === EngineErrorCode.Superseded) {
      return new EngineCancelledError(error.message, code);
    }
    return new EngineError(code, error.message, data?.details);
  }
  return new EngineError(EngineErrorCode.Internal, error instanceof Error ? error.message : String(error));
}
