/**
 * Typed errors of the remote (OpenAI-compatible) backend. Each has a machine-readable `code` the host words for the
 * user (`describeError` in `src/extension/userMessages.ts`) and `details` with metadata only: the endpoint's origin
 * (never its credentials), the HTTP status, the model name. The English message is for the log.
 */

export const RemoteErrorCode = {
  /** Nothing answered: refused, DNS failure, reset before a response, TLS failure. Retried with backoff. */
  Unreachable: "remoteUnreachable",
  /** 401/403: the API key is missing or wrong. */
  Unauthorized: "remoteUnauthorized",
  /** 404: the server does not serve this model (or this path). */
  ModelNotFound: "remoteModelNotFound",
  /** 400 saying the prompt exceeds the context window. */
  ContextTooLong: "remoteContextTooLong",
  /** 429/503: the server is overloaded or still loading its model. */
  Busy: "remoteBusy",
  /** The response is not the server-sent-events stream (or JSON) the API promises, or it stopped half way. */
  MalformedStream: "remoteMalformedStream",
  /** No connection within the connect time-out, or no first token within the first-token time-out. */
  Timeout: "remoteTimeout",
  /** Another 4xx (the server's own words are in the message). */
  BadRequest: "remoteBadRequest",
  /** Another 5xx. */
  ServerError: "remoteServerError",
  /** Too many failures in a row: the endpoint is skipped for a while. */
  CircuitOpen: "remoteCircuitOpen",
  /** No endpoint is configured (`privateCoder.remote.endpoints`). */
  NoEndpoint: "remoteNoEndpoint",
  /** The user did not agree to send code to this endpoint. */
  ConsentRefused: "remoteConsentRefused",
} as const;
export type RemoteErrorCode = (typeof RemoteErrorCode)[keyof typeof RemoteErrorCode];

export interface RemoteErrorDetails {
  /** `scheme://host:port`, no user info, no path. */
  readonly endpoint?: string;
  readonly status?: number;
  readonly model?: string;
  /** The server's `Retry-After`, in ms. */
  readonly retryAfterMs?: number;
  /** `connect` or `firstToken` for time-outs. */
  readonly phase?: "connect" | "firstToken";
  readonly timeoutMs?: number;
  /** Why an endpoint was unreachable: `tls` (certificate not trusted: see the CA file setting), `dns`, `refused`, `reset`. */
  readonly reason?: "tls" | "dns" | "refused" | "reset" | "other";
}

export class RemoteError extends Error {
  override readonly name = "RemoteError";
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly details: RemoteErrorDetails = {},
  ) {
    super(message);
  }
}

/** Errors worth trying again on the same or another endpoint: the request never reached a model. */
export function isConnectionError(error: unknown): boolean {
  return error instanceof RemoteError && (error.code === RemoteErrorCode.Unreachable || (error.code === RemoteErrorCode.Timeout && error.details.phase === "connect"));
}

/** Errors that say the endpoint (not the request) is in trouble: they count for the circuit breaker and failover. */
export function isEndpointFailure(error: unknown): boolean {
  if (!(error instanceof RemoteError)) return false;
  switch (error.code) {
    case RemoteErrorCode.Unreachable:
    case RemoteErrorCode.Timeout:
    case RemoteErrorCode.Busy:
    case RemoteErrorCode.ServerError:
    case RemoteErrorCode.MalformedStream:
    case RemoteErrorCode.CircuitOpen:
      return true;
    default:
      return false;
  }
}

/** The origin of a base URL, without user info or path, safe for logs. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}

const CONTEXT_WORDS = /context|too long|exceed|maximum.*length|n_ctx/i;

/** The typed error for an HTTP error status and its body (the server's own message, cut short, goes to the log). */
export function httpError(status: number, body: string, endpoint: string, model?: string, retryAfter?: string | null): RemoteError {
  const serverMessage = serverErrorMessage(body).slice(0, 300);
  const base = { endpoint: safeOrigin(endpoint), status, ...(model !== undefined ? { model } : {}) };
  const said = serverMessage ? `: ${serverMessage}` : "";
  if (status === 401 || status === 403) return new RemoteError(RemoteErrorCode.Unauthorized, `HTTP ${status} from ${base.endpoint} (API key rejected)`, base);
  if (status === 404) return new RemoteError(RemoteErrorCode.ModelNotFound, `HTTP 404 from ${base.endpoint}${said}`, base);
  if (status === 429 || status === 503) {
    const seconds = retryAfter ? Number(retryAfter) : NaN;
    return new RemoteError(RemoteErrorCode.Busy, `HTTP ${status} from ${base.endpoint}${said}`, Number.isFinite(seconds) ? { ...base, retryAfterMs: seconds * 1000 } : base);
  }
  if (status === 400 && CONTEXT_WORDS.test(serverMessage)) return new RemoteError(RemoteErrorCode.ContextTooLong, `HTTP 400 from ${base.endpoint}${said}`, base);
  if (status >= 400 && status < 500) return new RemoteError(RemoteErrorCode.BadRequest, `HTTP ${status} from ${base.endpoint}${said}`, base);
  return new RemoteError(RemoteErrorCode.ServerError, `HTTP ${status} from ${base.endpoint}${said}`, base);
}

/** The message inside an OpenAI-style `{ "error": { "message" } }` body, or the body's start. */
export function serverErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof parsed.error === "string") return parsed.error;
    if (parsed.error && typeof parsed.error.message === "string") return parsed.error.message;
    if (typeof parsed.message === "string") return parsed.message;
  } catch {
    // Not JSON: an HTML error page or plain text.
  }
  return body.replace(/\s+/g, " ").trim();
}

/** The caller aborted: the same `code` as the local engine's cancellation, so `isCancellation` covers both. */
export class RemoteCancelledError extends Error {
  override readonly name = "RemoteCancelledError";
  readonly code: "cancelled" | "superseded";
  constructor(code: "cancelled" | "superseded" = "cancelled") {
    super(code === "cancelled" ? "The request was cancelled." : "The request was replaced by a newer one.");
    this.code = code;
  }
}
