/**
 * The remote backend's errors in the user's language: what went wrong with which server, and what to do about it.
 * Called by `describeError` for `remote*` codes. Details carry the endpoint's origin only, never a key.
 */
import type * as vscode from "vscode";
import { RemoteErrorCode, type RemoteErrorDetails } from "../../core/remote/index.ts";

/** `vscode.l10n` (the unit tests pass a stand-in); the type import lets `npm run l10n:export` find the strings. */
type L10n = Pick<typeof vscode.l10n, "t">;

export function describeRemoteError(code: string, details: RemoteErrorDetails, l10n: L10n): string | undefined {
  const server = details.endpoint ?? l10n.t("the remote server");
  switch (code) {
    case RemoteErrorCode.Unreachable:
      if (details.reason === "tls") return l10n.t("The certificate of {0} is not trusted. If your company uses its own CA, set `privateCoder.remote.caFile` to its PEM file.", server);
      if (details.reason === "dns") return l10n.t("{0} was not found (DNS). Check the address in `privateCoder.remote.endpoints`.", server);
      if (details.reason === "reset") return l10n.t("The connection to {0} was lost. Is the server running? Private Coder tries again with the next request.", server);
      return l10n.t("{0} cannot be reached. Is the server running, and is the address right? (Private Coder: Test Remote Connection)", server);
    case RemoteErrorCode.Unauthorized:
      return l10n.t("{0} refused the API key (HTTP {1}). Run Private Coder: Add Remote Endpoint… again with the right key.", server, details.status ?? 401);
    case RemoteErrorCode.ModelNotFound:
      return details.model
        ? l10n.t("{0} does not serve the model \"{1}\". Choose one it lists (Private Coder: Test Remote Connection), or clear the model setting to use its first.", server, details.model)
        : l10n.t("{0} does not serve the requested model or API path. Is it an OpenAI-compatible server?", server);
    case RemoteErrorCode.ContextTooLong:
      return l10n.t("The request is too long for the context window of the model on {0}. Attach less, or select a smaller part.", server);
    case RemoteErrorCode.Busy:
      return details.retryAfterMs !== undefined
        ? l10n.t("{0} is busy (HTTP {1}). Try again in {2} s.", server, details.status ?? 503, Math.ceil(details.retryAfterMs / 1000))
        : l10n.t("{0} is busy or still loading its model (HTTP {1}). Try again shortly.", server, details.status ?? 503);
    case RemoteErrorCode.MalformedStream:
      return l10n.t("{0} sent an answer Private Coder cannot read. Is it an OpenAI-compatible server (llama-server, vLLM, Ollama…)?", server);
    case RemoteErrorCode.Timeout:
      return details.phase === "connect"
        ? l10n.t("{0} did not accept a connection within {1} s.", server, Math.round((details.timeoutMs ?? 0) / 1000))
        : l10n.t("{0} did not start answering within {1} s (busy, or loading its model). Try again, or raise `privateCoder.remote.firstTokenTimeoutMs`.", server, Math.round((details.timeoutMs ?? 0) / 1000));
    case RemoteErrorCode.BadRequest:
      return l10n.t("{0} rejected the request (HTTP {1}). The log has its message (Private Coder: Show Logs).", server, details.status ?? 400);
    case RemoteErrorCode.ServerError:
      return l10n.t("{0} failed with HTTP {1}. The log has its message (Private Coder: Show Logs).", server, details.status ?? 500);
    case RemoteErrorCode.CircuitOpen:
      return l10n.t("{0} failed several times in a row; Private Coder pauses requests to it for a moment.", server);
    case RemoteErrorCode.NoEndpoint:
      return l10n.t("No remote server is configured. Run Private Coder: Add Remote Endpoint…, or set the backend back to local.");
    case RemoteErrorCode.ConsentRefused:
      return l10n.t("Nothing was sent to {0}: you did not agree to send code there.", server);
    default:
      return undefined;
  }
}
