/**
 * The remote backend: an OpenAI-compatible server (or a team's several) seen through the backend-neutral
 * `InferenceBackend`, the sibling of `LocalBackend`. It declares what it can do (FIM through llama-server's `/infill`,
 * a family template or Ollama's `suffix`; streaming; an estimated tokenizer; no speed probe; `location: "remote"`) and
 * leaves routing, retries and failover to `EndpointPool`. The safety filter has run before anything reaches it.
 */
import {
  remoteModelRef,
  type BackendCapabilities,
  type BackendEvent,
  type BackendState,
  type BackendStatus,
  type ChatRequest,
  type ChatResult,
  type CompletionRequest,
  type CompletionResult,
  type InferenceBackend,
  type LoadedModel,
  type LoadProgress,
  type LogEvent,
  type ModelRef,
  type ModelRole,
  type RequestOptions,
  type StateChangeEvent,
  type CompleteOptions,
  type StreamOptions,
} from "../../core/backend/index.ts";
import { EventEmitter as Emitter } from "../../core/events.ts";
import { fimFamilyOf, RemoteCancelledError, RemoteError, RemoteErrorCode, safeOrigin, type FimFamily } from "../../core/remote/index.ts";
import { EndpointPool, type EndpointPoolOptions, type EndpointReport } from "./pool.ts";
import { CHARS_PER_TOKEN, chatRequestBody, completionRequest, promptCharsOf, StreamAccumulator, type GenerationExtras } from "./requests.ts";
import type { RemoteServer, ServerInfo } from "./server.ts";

export interface RemoteBackendOptions extends Omit<EndpointPoolOptions, "log"> {
  /** `auto`: Ollama's `suffix`, else the template of the family the model's name shows; `none`: prefix only. Default `auto`. */
  readonly fimTemplate?: () => FimFamily | "auto" | "none";
}

/** One endpoint's answer to `GET /v1/models`: its models, or the error that kept it from answering. */
export type EndpointModels =
  | { readonly url: string; readonly origin: string; readonly models: readonly { readonly ref: ModelRef; readonly contextSize?: number }[] }
  | { readonly url: string; readonly origin: string; readonly error: Error };

interface RoleModel {
  readonly ref: ModelRef;
  readonly name: string;
}

/** Requests a newer one replaced (their rejection says `superseded`, not `cancelled`). */
const supersededControllers = new WeakSet<AbortController>();

export class RemoteBackend implements InferenceBackend {
  readonly pool: EndpointPool;
  /** For tests and benchmarks only: fixed-length answers from random weights (`ignore_eos`). */
  extras: GenerationExtras = {};
  private readonly roles = new Map<ModelRole, RoleModel>();
  private readonly logEmitter = new Emitter<LogEvent>();
  private readonly stateEmitter = new Emitter<StateChangeEvent>();
  private readonly progressEmitter = new Emitter<LoadProgress>();
  private currentState: BackendState = "idle";
  private userCompletion: AbortController | undefined;
  private backgroundCompletion: AbortController | undefined;
  private active = 0;
  private busy = { completion: false, chat: false };
  private lastFim = true;

  readonly onLog: BackendEvent<LogEvent> = (l) => this.logEmitter.event(l);
  readonly onStateChange: BackendEvent<StateChangeEvent> = (l) => this.stateEmitter.event(l);
  readonly onLoadProgress: BackendEvent<LoadProgress> = (l) => this.progressEmitter.event(l);

  constructor(private readonly options: RemoteBackendOptions) {
    this.pool = new EndpointPool({ ...options, log: (level, message) => this.logEmitter.fire({ level, message, source: "client" }) });
  }

  get capabilities(): BackendCapabilities {
    return { fim: this.lastFim, exactTokenizer: false, streaming: true, speedProbe: false, location: "remote" };
  }

  get state(): BackendState {
    return this.currentState;
  }

  /** Every model every endpoint lists, as `ModelRef`s. Unreachable endpoints are skipped (see `listModelsByEndpoint`). */
  async listModels(options: RequestOptions = {}): Promise<ModelRef[]> {
    return (await this.listModelsByEndpoint(options)).flatMap((listing) => ("models" in listing ? listing.models.map((m) => m.ref) : []));
  }

  /**
   * `GET /v1/models` of every endpoint at once, for the model picker: each endpoint's models, or why it gave none
   * (the typed error, so the picker can say "401: check the API key" instead of silently showing nothing). No code is
   * sent: only the API key, which the user stored for this endpoint.
   */
  listModelsByEndpoint(options: RequestOptions = {}): Promise<EndpointModels[]> {
    return Promise.all(
      this.pool.servers().map((server) =>
        server.models(options.signal).then(
          (models): EndpointModels => ({
            url: server.url,
            origin: server.origin,
            models: models.map((m) => ({ ref: remoteModelRef(server.url, m.id), ...(m.contextSize !== undefined ? { contextSize: m.contextSize } : {}) })),
          }),
          (error: unknown): EndpointModels => ({ url: server.url, origin: server.origin, error: error instanceof Error ? error : new Error(String(error)) }),
        ),
      ),
    );
  }

  /** Asks the endpoints for the model; consent (`beforeSend`) comes first, so nothing reaches a server before it. */
  async loadModel(role: ModelRole, model: ModelRef, options: RequestOptions = {}): Promise<LoadedModel> {
    this.assertUsable();
    this.setState(this.currentState === "ready" ? "ready" : "starting");
    try {
      const { server, info } = await this.pool.run((s) => s.serverInfo(options.signal).then((info) => ({ server: s, info })), { signal: options.signal });
      const wanted = model.remoteModel ?? "";
      const found = wanted === "" ? info.models[0] : info.models.find((m) => m.id === wanted);
      if (!found) {
        throw new RemoteError(RemoteErrorCode.ModelNotFound, `${server.origin} does not serve the model "${wanted}" (it serves ${info.models.map((m) => m.id).join(", ") || "none"})`, { endpoint: server.origin, status: 404, model: wanted });
      }
      this.roles.set(role, { ref: model, name: found.id });
      this.progressEmitter.fire({ ref: model, progress: 1 });
      this.setState("ready");
      const loaded = this.toLoadedModel(model, found.id, info, server, [role]);
      if (role === "completion") this.lastFim = loaded.fimSupported;
      return loaded;
    } catch (error) {
      if (this.roles.size === 0) this.setState("idle");
      throw error;
    }
  }

  async unloadModel(role?: ModelRole): Promise<void> {
    if (role) this.roles.delete(role);
    else this.roles.clear();
    return Promise.resolve();
  }

  async complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
    const model = this.modelOf("completion");
    const background = request.priority === "background";
    // Like the local engine: a newer request supersedes an older one of the same priority, and a user request a prefetch.
    const controller = new AbortController();
    for (const old of background ? [this.backgroundCompletion] : [this.userCompletion, this.backgroundCompletion]) {
      if (old) {
        supersededControllers.add(old);
        old.abort();
      }
    }
    if (background) this.backgroundCompletion = controller;
    else this.userCompletion = controller;
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    let budgetHit = false;
    // The caller has the whole suggestion (`finishWhen`): the stream is cut and the text so far is the answer.
    let finished = false;
    const budget = request.timeBudgetMs !== undefined ? setTimeout(() => ((budgetHit = true), controller.abort()), request.timeBudgetMs) : undefined;
    const started = Date.now();
    this.begin("completion");
    try {
      return await this.pool.run(
        async (server) => {
          const info = await server.serverInfo(signal);
          const prepared = completionRequest(info.kind, model.name, request, this.options.fimTemplate?.() ?? "auto", this.extras);
          const acc = new StreamAccumulator(started, promptCharsOf(prepared.body));
          try {
            await server.stream(prepared.path, prepared.body, (event) => {
              const piece = acc.add(event);
              if (piece) options.onChunk?.(piece);
              if (!finished && options.finishWhen?.(acc.text)) {
                finished = true;
                controller.abort();
              }
            }, { signal, model: model.name, endsWithoutDone: prepared.endsWithoutDone });
          } catch (error) {
            if ((budgetHit || finished) && error instanceof RemoteCancelledError) return { text: acc.text, mode: prepared.mode, metrics: acc.metrics(finished ? "stopString" : "timeBudget") };
            throw error;
          }
          return { text: acc.text, mode: prepared.mode, metrics: acc.metrics() };
        },
        { signal },
      );
    } catch (error) {
      if (supersededControllers.has(controller)) throw new RemoteCancelledError("superseded");
      throw error;
    } finally {
      clearTimeout(budget);
      supersededControllers.delete(controller);
      if (this.userCompletion === controller) this.userCompletion = undefined;
      if (this.backgroundCompletion === controller) this.backgroundCompletion = undefined;
      this.end("completion");
    }
  }

  async chat(request: ChatRequest, options: StreamOptions = {}): Promise<ChatResult> {
    const model = this.modelOf("chat");
    const started = Date.now();
    let acc = new StreamAccumulator(started);
    this.begin("chat");
    try {
      await this.pool.run(
        async (server) => {
          const info = await server.serverInfo(options.signal);
          const body = chatRequestBody(info.kind, model.name, request, this.extras);
          acc = new StreamAccumulator(started, promptCharsOf(body));
          await server.stream("/v1/chat/completions", body, (event) => {
            const piece = acc.add(event);
            if (piece) options.onChunk?.(piece);
          }, { signal: options.signal, model: model.name });
        },
        // Once text was shown the answer cannot move to another server.
        { signal: options.signal, canFailOver: () => acc.text === "" },
      );
      return { text: acc.text, contextShifted: false, metrics: acc.metrics() };
    } catch (error) {
      // Stop keeps what was written, as with the local engine.
      if (options.signal?.aborted) return { text: acc.text, contextShifted: false, metrics: acc.metrics("abort") };
      throw error;
    } finally {
      this.end("chat");
    }
  }

  countTokens(text: string): Promise<number> {
    return Promise.resolve(Math.ceil(text.length / CHARS_PER_TOKEN));
  }

  /** What is known now, without a request (health comes from the background checks). */
  status(): Promise<BackendStatus> {
    const endpoints = this.pool.report();
    const describe = (e: EndpointReport) =>
      `${safeOrigin(e.url)}: ${e.healthy ? "healthy" : "unreachable"}${e.breaker !== "closed" ? `, breaker ${e.breaker}` : ""}${e.load !== undefined ? `, ${e.load}${e.slots !== undefined ? `/${e.slots}` : ""} busy` : ""}`;
    return Promise.resolve({
      running: this.currentState === "ready" && endpoints.some((e) => e.healthy),
      models: [...this.roles.entries()].map(([role, m]) => this.toLoadedModel(m.ref, m.name, undefined, undefined, [role])),
      busy: { ...this.busy },
      activeRequests: this.active,
      details: endpoints.map(describe),
      facts: { servers: endpoints.map((e) => ({ origin: safeOrigin(e.url), healthy: e.healthy, ...(e.load !== undefined ? { busy: e.load } : {}), ...(e.slots !== undefined ? { slots: e.slots } : {}) })) },
    });
  }

  /** Health and load of every endpoint, checked now (Test Connection, the status view). */
  checkEndpoints(signal?: AbortSignal): Promise<EndpointReport[]> {
    return this.pool.check(signal);
  }

  dispose(): Promise<void> {
    this.userCompletion?.abort();
    this.backgroundCompletion?.abort();
    this.pool.dispose();
    this.roles.clear();
    this.setState("disposed");
    this.logEmitter.dispose();
    this.stateEmitter.dispose();
    this.progressEmitter.dispose();
    return Promise.resolve();
  }

  private modelOf(role: ModelRole): RoleModel {
    this.assertUsable();
    const model = this.roles.get(role);
    if (!model) throw Object.assign(new Error(`no ${role} model is loaded on the remote backend`), { code: "notLoaded" });
    return model;
  }

  private assertUsable(): void {
    if (this.currentState === "disposed") throw Object.assign(new Error("The remote backend was shut down."), { code: "disposed" });
  }

  private begin(role: ModelRole): void {
    this.active++;
    this.busy[role] = true;
  }

  private end(role: ModelRole): void {
    this.active--;
    this.busy[role] = false;
  }

  private setState(state: BackendState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.stateEmitter.fire({ state, previous });
  }

  private toLoadedModel(ref: ModelRef, name: string, info: ServerInfo | undefined, server: RemoteServer | undefined, roles: ModelRole[]): LoadedModel {
    const contextSize = info?.contextSize ?? info?.models.find((m) => m.id === name)?.contextSize ?? 4096;
    const template = this.options.fimTemplate?.() ?? "auto";
    const fim = info === undefined ? this.lastFim : info.kind === "llama-server" || (info.kind === "ollama" && template === "auto") || (template === "auto" ? fimFamilyOf(name) !== undefined : template !== "none");
    const where = server ? server.origin : ref.endpoint ? safeOrigin(ref.endpoint) : "remote";
    return {
      ref,
      name,
      roles,
      contextSize,
      fimSupported: fim,
      chatFormat: "server",
      details: [`${name} on ${where}${info ? ` (${info.kind}${info.slots ? `, ${info.slots} slots` : ""})` : ""}, context ${contextSize} tokens`, `FIM ${info?.kind === "llama-server" ? "via /infill" : fim ? "via /v1/completions" : "not available (prefix-only completion)"}`],
      facts: { state: "loaded" },
    };
  }
}

