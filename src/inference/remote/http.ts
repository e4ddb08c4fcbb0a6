/**
 * The remote backend's transport: Node's own `http`/`https` modules, called through the module object at request
 * time. That matters: the VS Code extension host patches these modules to apply the user's proxy settings
 * (`http.proxy`, `http.proxySupport`, system certificates), so every request here goes through the user's proxy
 * without code of ours. (A bundled fetch client would bypass it.) No custom agent is passed, for the same reason; a
 * custom CA goes in the request options (`ca`), which whatever agent the host installs hands on to TLS.
 */
import http from "node:http";
import https from "node:https";
import { RemoteCancelledError, RemoteError, RemoteErrorCode, safeOrigin } from "../../core/remote/index.ts";

export interface HttpRequestOptions {
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Extra trusted CA certificates (PEM), added to Node's defaults. */
  readonly ca?: string;
  /** No TCP/TLS connection within this many ms: `Timeout` (phase `connect`). */
  readonly connectTimeoutMs: number;
  /** No response headers within this many ms after connecting: `Timeout` (phase `firstToken`). Default: none. */
  readonly responseTimeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: http.IncomingMessage;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO/;

/** The typed error for a socket-level failure (before any response). */
export function connectionError(error: NodeJS.ErrnoException, url: string): RemoteError {
  const endpoint = safeOrigin(url);
  const code = error.code ?? "";
  const reason = TLS_CODES.test(code) ? "tls" : code === "ENOTFOUND" || code === "EAI_AGAIN" ? "dns" : code === "ECONNREFUSED" ? "refused" : code === "ECONNRESET" || code === "EPIPE" ? "reset" : "other";
  return new RemoteError(RemoteErrorCode.Unreachable, `${endpoint} unreachable (${code || error.message})`, { endpoint, reason });
}

export function httpRequest(options: HttpRequestOptions): Promise<HttpResponse> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new RemoteCancelledError());
  const url = new URL(options.url);
  const secure = url.protocol === "https:";
  const endpoint = safeOrigin(options.url);
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (error: Error | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      signal?.removeEventListener("abort", onAbort);
      if (error) {
        request.destroy();
        reject(error);
      } else resolve(response!);
    };
    const onAbort = () => finish(new RemoteCancelledError());
    const requestOptions: https.RequestOptions = {
      method: options.method,
      headers: { ...options.headers, ...(options.body !== undefined ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(options.body)) } : {}) },
      ...(secure && options.ca ? { ca: options.ca } : {}),
    };
    // Through the module object, at call time: the host's proxy patch replaces these functions.
    const request = secure ? https.request(url, requestOptions) : http.request(url, requestOptions);
    signal?.addEventListener("abort", onAbort, { once: true });
    request.on("socket", (socket) => {
      const connected = () => {
        if (options.responseTimeoutMs !== undefined) {
          timers.push(setTimeout(() => finish(new RemoteError(RemoteErrorCode.Timeout, `no response from ${endpoint} within ${options.responseTimeoutMs} ms`, { endpoint, phase: "firstToken", timeoutMs: options.responseTimeoutMs })), options.responseTimeoutMs));
        }
      };
      if (!socket.connecting) return connected();
      timers.push(setTimeout(() => finish(new RemoteError(RemoteErrorCode.Timeout, `could not connect to ${endpoint} within ${options.connectTimeoutMs} ms`, { endpoint, phase: "connect", timeoutMs: options.connectTimeoutMs })), options.connectTimeoutMs));
      socket.once(secure ? "secureConnect" : "connect", () => {
        timers.forEach(clearTimeout);
        timers.length = 0;
        connected();
      });
    });
    request.on("response", (body) => {
      // After this the caller owns the body; aborting destroys it (which tells the server to free its slot).
      if (signal && !signal.aborted) signal.addEventListener("abort", () => body.destroy(new RemoteCancelledError()), { once: true });
      finish(undefined, { status: body.statusCode ?? 0, headers: body.headers, body });
    });
    request.on("error", (error: NodeJS.ErrnoException) => finish(connectionError(error, options.url)));
    request.end(options.body);
  });
}

/** The whole body as text, at most `limit` characters (more is cut: error bodies and model lists are small). */
export async function readBody(body: http.IncomingMessage, limit = 2 * 2 ** 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, limit);
}
