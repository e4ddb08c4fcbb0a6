/**
 * One OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio, TGI, SGLang): model list, kind detection,
 * health, load, and streamed POSTs. Connection errors are retried with exponential backoff (the request never reached
 * the server); nothing else is. A stream that sends no event within the first-token time-out is aborted, which tells
 * the server to free its slot. No `vscode` here: the host passes the API key and CA in as functions.
 */
import {
  createSseJsonDecoder,
  httpError,
  isConnectionError,
  loadFromMetrics,
  loadFromSlots,
  RemoteCancelledError,
  RemoteError,
  RemoteErrorCode,
  safeOrigin,
} from "../../core/remote/index.ts";
import { httpRequest, readBody, type HttpResponse } from "./http.ts";

export interface RemoteServerOptions {
  /** The API key for this endpoint (from SecretStorage), read at each request; never logged. */
  readonly apiKey?: () => Promise<string | undefined>;
  /** Extra CA certificates (PEM) for https endpoints. */
  readonly ca?: () => string | undefined;
  /** Default 5,000 ms. */
  readonly connectTimeoutMs?: number;
  /** From sending a generation request to its first event. Default 30,000 ms (a cold server loads its model). */
  readonly firstTokenTimeoutMs?: number;
  /** Retries of a connection error. Default 2. */
  readonly retries?: number;
  /** First backoff, doubled each retry. Default 250 ms. */
  readonly retryBaseMs?: number;
}

/** `llama-server` has `/infill`, `/slots`, `/metrics`; `ollama` takes `suffix`; `openai` is everything else. */
export type ServerKind = "llama-server" | "ollama" | "openai";

export interface RemoteModelInfo {
  readonly id: string;
  /** The server's context window per request, when it says. */
  readonly contextSize?: number;
}

export interface ServerInfo {
  readonly kind: ServerKind;
  readonly models: readonly RemoteModelInfo[];
  /** Parallel slots (llama-server). */
  readonly slots?: number;
  /** Context per slot (llama-server's `/props`). */
  readonly contextSize?: number;
}

export class RemoteServer {
  private info: Promise<ServerInfo> | undefined;

  constructor(
    readonly url: string,
    private readonly options: RemoteServerOptions = {},
  ) {}

  get origin(): string {
    return safeOrigin(this.url);
  }

  /** Kind, models and slots, asked once (again after `forget()`). */
  serverInfo(signal?: AbortSignal): Promise<ServerInfo> {
    this.info ??= this.detect(signal);
    this.info.catch(() => (this.info = undefined));
    return this.info;
  }

  /** Forgets what `serverInfo` learnt (the server may have restarted with another model). */
  forget(): void {
    this.info = undefined;
  }

  async models(signal?: AbortSignal): Promise<RemoteModelInfo[]> {
    const body = (await this.getJson("/v1/models", signal)) as { data?: unknown };
    if (!Array.isArray(body.data)) throw new RemoteError(RemoteErrorCode.MalformedStream, `${this.origin}/v1/models did not return a model list`, { endpoint: this.origin });
    return body.data.flatMap((m: { id?: unknown; meta?: { n_ctx?: unknown }; max_model_len?: unknown }) => {
      if (typeof m?.id !== "string") return [];
      const ctx = typeof m.meta?.n_ctx === "number" ? m.meta.n_ctx : typeof m.max_model_len === "number" ? m.max_model_len : undefined;
      return [{ id: m.id, ...(ctx !== undefined ? { contextSize: ctx } : {}) }];
    });
  }

  /** `GET /health` (llama-server, vLLM, TGI); servers without it count as healthy when `/v1/models` answers. */
  async health(signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await this.send("GET", "/health", undefined, signal, { retries: 0 });
      await readBody(response.body, 4096);
      if (response.status === 200) return true;
      if (response.status !== 404) return false;
      await this.models(signal);
      return true;
    } catch (error) {
      if (error instanceof RemoteCancelledError) throw error;
      return false;
    }
  }

  /** Requests running and queued, from `/slots` or else `/metrics`; undefined when the server has neither. */
  async load(signal?: AbortSignal): Promise<{ load: number; slots?: number } | undefined> {
    for (const path of ["/slots", "/metrics"]) {
      const response = await this.send("GET", path, undefined, signal, { retries: 0 });
      const text = await readBody(response.body);
      if (response.status !== 200) continue;
      if (path === "/slots") {
        try {
          const slots = loadFromSlots(JSON.parse(text));
          if (slots) return slots;
        } catch {
          continue;
        }
      } else {
        const load = loadFromMetrics(text);
        if (load !== undefined) return { load };
      }
    }
    return undefined;
  }

  /** `GET` a JSON document; HTTP errors become typed errors. */
  async getJson(path: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.send("GET", path, undefined, signal);
    const text = await readBody(response.body);
    if (response.status !== 200) throw httpError(response.status, text, this.url, undefined, header(response, "retry-after"));
    try {
      return JSON.parse(text);
    } catch {
      throw new RemoteError(RemoteErrorCode.MalformedStream, `${this.origin}${path} did not return JSON`, { endpoint: this.origin });
    }
  }

  /**
   * `POST` with `stream: true`: calls `onEvent` for each JSON event until the stream ends. Aborting `signal` destroys
   * the connection (rejects with code `cancelled`); so does the first-token time-out (code `remoteTimeout`).
   */
  async stream(path: string, body: object, onEvent: (event: unknown) => void, options: { signal?: AbortSignal; model?: string; endsWithoutDone?: boolean } = {}): Promise<void> {
    const timeoutMs = this.options.firstTokenTimeoutMs ?? 30_000;
    const local = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      local.abort();
    }, timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, local.signal]) : local.signal;
    try {
      const response = await this.send("POST", path, JSON.stringify(body), signal);
      if (response.status !== 200) throw httpError(response.status, await readBody(response.body), this.url, options.model, header(response, "retry-after"));
      const type = header(response, "content-type") ?? "";
      if (type.includes("application/json")) {
        // A server that ignored `stream: true` answers with one JSON document.
        clearTimeout(timer);
        const text = await readBody(response.body);
        try {
          onEvent(JSON.parse(text));
        } catch (error) {
          if (error instanceof SyntaxError) throw new RemoteError(RemoteErrorCode.MalformedStream, `${this.origin}${path} returned invalid JSON`, { endpoint: this.origin });
          throw error;
        }
        return;
      }
      if (!type.includes("text/event-stream")) {
        response.body.destroy();
        throw new RemoteError(RemoteErrorCode.MalformedStream, `${this.origin}${path} answered ${type || "without a content type"}, not an event stream`, { endpoint: this.origin });
      }
      const decoder = createSseJsonDecoder(
        (event) => {
          clearTimeout(timer);
          onEvent(event);
        },
        { endpoint: this.url, allowEndWithoutDone: options.endsWithoutDone ?? false },
      );
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) decoder.feed(chunk);
      } catch (error) {
        response.body.destroy();
        if (error instanceof RemoteError) throw error;
        if (signal.aborted) throw new RemoteCancelledError();
        throw new RemoteError(RemoteErrorCode.Unreachable, `the connection to ${this.origin} was lost during the answer`, { endpoint: this.origin, reason: "reset" });
      }
      if (signal.aborted) throw new RemoteCancelledError();
      decoder.end();
    } catch (error) {
      if (timedOut && !options.signal?.aborted) {
        throw new RemoteError(RemoteErrorCode.Timeout, `no first token from ${this.origin} within ${timeoutMs} ms`, { endpoint: this.origin, phase: "firstToken", timeoutMs });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** One request with retries for connection errors (exponential backoff), the API key as a Bearer token. */
  private async send(method: "GET" | "POST", path: string, body: string | undefined, signal: AbortSignal | undefined, overrides: { retries?: number } = {}): Promise<HttpResponse> {
    const retries = overrides.retries ?? this.options.retries ?? 2;
    const key = await this.options.apiKey?.();
    const headers: Record<string, string> = { accept: body !== undefined ? "text/event-stream, application/json" : "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) };
    for (let attempt = 0; ; attempt++) {
      try {
        return await httpRequest({ method, url: `${this.url}${path}`, headers, body, signal, ca: this.options.ca?.(), connectTimeoutMs: this.options.connectTimeoutMs ?? 5_000 });
      } catch (error) {
        if (!isConnectionError(error) || attempt >= retries || signal?.aborted) throw error;
        await sleep((this.options.retryBaseMs ?? 250) * 2 ** attempt, signal);
      }
    }
  }

  private async detect(signal?: AbortSignal): Promise<ServerInfo> {
    const models = await this.models(signal);
    // llama-server's /props has its slots and context; Ollama answers /api/version; other servers 404 both.
    try {
      const props = (await this.getJson("/props", signal)) as { total_slots?: unknown; default_generation_settings?: { n_ctx?: unknown } };
      if (typeof props.total_slots === "number" || typeof props.default_generation_settings === "object") {
        const ctx = props.default_generation_settings?.n_ctx;
        return { kind: "llama-server", models, slots: typeof props.total_slots === "number" ? props.total_slots : undefined, ...(typeof ctx === "number" ? { contextSize: ctx } : {}) };
      }
    } catch (error) {
      if (isConnectionError(error) || error instanceof RemoteCancelledError) throw error;
    }
    try {
      const version = (await this.getJson("/api/version", signal)) as { version?: unknown };
      if (typeof version.version === "string") return { kind: "ollama", models };
    } catch (error) {
      if (isConnectionError(error) || error instanceof RemoteCancelledError) throw error;
    }
    return { kind: "openai", models };
  }
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RemoteCancelledError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
