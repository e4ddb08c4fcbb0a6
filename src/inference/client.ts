/**
 * Host side of the inference engine: `LocalEngineClient` runs llama.cpp in a child process (./child.ts) and speaks
 * the protocol of ./protocol.ts to it. No `vscode` import: the extension wires the events to its status bar,
 * LogOutputChannel and notifications.
 *
 * Guarantees: the child starts lazily on the first call; every call settles (crash → `EngineCrashedError`,
 * dispose → code `disposed`, handshake and shutdown have timeouts); a crashed child is restarted with backoff and
 * its models reloaded; after `crashBreaker.maxCrashes` crashes within `crashBreaker.windowMs` it stays stopped
 * until `restart()`; `dispose()` leaves no process behind.
 */
import { randomUUID } from "node:crypto";
import type { CancellationToken, MessageConnection } from "vscode-jsonrpc/node.js";
import { ChildHandle, withTimeout } from "./childProcess.ts";
import {
  resolveOptions,
  type BackendState,
  type BreakerTrippedEvent,
  type ChatRequestParams,
  type CompletionRequest,
  type CrashEvent,
  type LocalEngineClientOptions,
  type LogEvent,
  type RequestOptions,
  type ResolvedClientOptions,
  type StateChangeEvent,
  type CompleteOptions,
  type StreamOptions,
  type TokenizeOptions,
} from "./clientOptions.ts";
import { CrashBreaker } from "./crashBreaker.ts";
import { sendTracked, type InFlight } from "./trackedRequest.ts";
import { EventEmitter } from "../core/events.ts";
import { EngineCancelledError, EngineCrashedError, EngineError, fromRpcError } from "./errors.ts";
import {
  BenchDecodeRequest,
  EstimateFitRequest,
  ChatRequest,
  CompleteRequest,
  FinishCompletionNotification,
  PrewarmRequest,
  CountTokensRequest,
  CrashNotification,
  EngineErrorCode,
  InitializeRequest,
  LoadModelRequest,
  LoadProgressNotification,
  LogNotification,
  ModelStateNotification,
  PROTOCOL_VERSION,
  ShutdownRequest,
  StatusRequest,
  TextChunkNotification,
  TokenizeRequest,
  UnloadModelRequest,
  type BenchDecodeParams,
  type EstimateFitParams,
  type EstimateFitResult,
  type PrewarmParams,
  type PrewarmResult,
  type BenchDecodeResult,
  type ChatResult,
  type CompleteResult,
  type EngineStatus,
  type InitializeResult,
  type LoadModelParams,
  type LoadModelResult,
  type LoadProgressParams,
  type LogLevel,
  type ModelRole,
  type ModelStateParams,
  type UnloadModelParams,
  type UnloadModelResult,
} from "./protocol.ts";

export type { BreakerTrippedEvent, ChatRequestParams, CompletionRequest, CrashEvent, LocalEngineClientOptions, LogEvent, TokenizeOptions } from "./clientOptions.ts";

/** The host side of the child process, in the child's wire types; `LocalBackend` adapts it to `InferenceBackend`. */
export class LocalEngineClient {
  private readonly options: ResolvedClientOptions;
  private readonly breaker: CrashBreaker;
  /**
   * Why `options.engineBinary` is no longer used (a child died while loading it, or on an illegal instruction while
   * running it): later starts use the prebuilt binary, and Engine Status says why. Null while the build is in use.
   */
  private engineBinaryGivenUp: string | null = null;
  private readonly logEmitter = new EventEmitter<LogEvent>();
  private readonly stateEmitter = new EventEmitter<StateChangeEvent>();
  private readonly progressEmitter = new EventEmitter<LoadProgressParams>();
  private readonly crashEmitter = new EventEmitter<CrashEvent>();
  private readonly breakerEmitter = new EventEmitter<BreakerTrippedEvent>();
  private readonly modelStateEmitter = new EventEmitter<ModelStateParams>();

  /** Log lines (child logger, child stdout/stderr, client). */
  readonly onLog = this.logEmitter.event;
  readonly onStateChange = this.stateEmitter.event;
  readonly onLoadProgress = this.progressEmitter.event;
  /** The child died unexpectedly (every in-flight request was rejected with `EngineCrashedError`). */
  readonly onCrash = this.crashEmitter.event;
  /** Too many crashes: the engine stays stopped until `restart()`. Show "Open Logs" / "Restart". */
  readonly onBreakerTripped = this.breakerEmitter.event;
  /** A model was freed after inactivity, or reloaded on demand. */
  readonly onModelState = this.modelStateEmitter.event;

  private currentState: BackendState = "idle";
  private child: ChildHandle | null = null;
  private starting: Promise<ChildHandle> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private initResult: InitializeResult | null = null;
  private readonly inFlight = new Set<InFlight>();
  private readonly chunkListeners = new Map<string, (text: string) => void>();
  private lastCrashMessage = "";
  /** Set once a child died while starting with a GPU: later starts use the CPU and the bundled binary. */
  private gpuCrashReason: string | null = null;
  /** The child starting with a GPU right now: its death is a fallback to the CPU, not a crash to restart. */
  private gpuStart: ChildHandle | null = null;
  /** What to reload after a restart: the last successful load per role. */
  private readonly loadedModels = new Map<ModelRole, LoadModelParams>();

  constructor(options: LocalEngineClientOptions) {
    this.options = resolveOptions(options);
    this.breaker = new CrashBreaker(this.options.crashBreaker, this.options.restartBackoff);
  }

  get state(): BackendState {
    return this.currentState;
  }

  /** The child's process id while it runs (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.child?.exit == null ? this.child?.pid : undefined;
  }

  /** Device, versions and cores reported by the running child (null before the first start). */
  get engineInfo(): InitializeResult | null {
    return this.initResult;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Engine requests
  // -------------------------------------------------------------------------------------------------------------

  async loadModel(params: LoadModelParams, options: RequestOptions = {}): Promise<LoadModelResult> {
    const result = await this.request((c, token) => c.sendRequest(LoadModelRequest, params, token), options.signal);
    this.loadedModels.set(params.role, params);
    return result;
  }

  async unloadModel(params: UnloadModelParams = {}, options: RequestOptions = {}): Promise<UnloadModelResult> {
    if (this.currentState === "idle") {
      this.loadedModels.clear();
      return { unloaded: [] };
    }
    const result = await this.request((c, token) => c.sendRequest(UnloadModelRequest, params, token), options.signal);
    for (const [role, spec] of this.loadedModels) {
      if (params.role ? role === params.role : params.path == null || spec.path === params.path) this.loadedModels.delete(role);
    }
    return result;
  }

  async complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompleteResult> {
    const requestId = randomUUID();
    const { onChunk, finishWhen } = options;
    const stream = onChunk != null || finishWhen != null;
    if (stream) {
      let text = "";
      let finishing = false;
      this.chunkListeners.set(requestId, (chunk) => {
        onChunk?.(chunk);
        if (!finishWhen || finishing) return;
        text += chunk;
        if (!finishWhen(text)) return;
        // The child ends the generation at its next token and answers with the text so far and its metrics.
        finishing = true;
        void this.child?.connection.sendNotification(FinishCompletionNotification, { requestId }).catch(() => undefined);
      });
    }
    try {
      return await this.request(
        (c, token) => c.sendRequest(CompleteRequest, { ...request, requestId, stream }, token),
        options.signal,
      );
    } finally {
      this.chunkListeners.delete(requestId);
    }
  }

  /** Evaluates an expected completion's prompt at the lowest priority (see `PrewarmRequest`). */
  async prewarm(params: PrewarmParams, options: RequestOptions = {}): Promise<PrewarmResult> {
    return this.request((c, token) => c.sendRequest(PrewarmRequest, params, token), options.signal, {
      // Stopped by the host: the child stops before its next chunk and says how far it got, which is what the host
      // plans the next request with. Without its answer (past the grace time), nothing is known to be held.
      onAbort: (): PrewarmResult => ({ promptTokens: 0, reusedTokens: 0, restoredTokens: 0, evaluatedTokens: 0, completed: false, chunkTokens: 0, totalMs: 0, yieldedTo: "cancelled", tokensAfterYield: 0 }),
    });
  }

  async chat(request: ChatRequestParams, options: StreamOptions = {}): Promise<ChatResult> {
    const requestId = randomUUID();
    let streamed = "";
    this.chunkListeners.set(requestId, (text) => {
      streamed += text;
      options.onChunk?.(text);
    });
    const started = performance.now();
    try {
      return await this.request((c, token) => c.sendRequest(ChatRequest, { ...request, requestId }, token), options.signal, {
        // Stop keeps the partial answer: wait for the child's (it has the metrics), or settle with what streamed.
        onAbort: (): ChatResult => ({
          text: streamed,
          contextShifted: false,
          metrics: {
            promptTokens: 0,
            reusedTokens: 0,
            evaluatedTokens: 0,
            generatedTokens: 0,
            timeToFirstTokenMs: null,
            totalMs: Math.round(performance.now() - started),
            tokensPerSecond: null,
            stopReason: "abort",
            threads: 0,
          },
        }),
      });
    } finally {
      this.chunkListeners.delete(requestId);
    }
  }

  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    const { signal, ...rest } = options;
    const result = await this.request((c, token) => c.sendRequest(TokenizeRequest, { text, ...rest }, token), signal);
    return result.tokens;
  }

  async countTokens(text: string, options: TokenizeOptions = {}): Promise<number> {
    const { signal, ...rest } = options;
    const result = await this.request((c, token) => c.sendRequest(CountTokensRequest, { text, ...rest }, token), signal);
    return result.count;
  }

  /**
   * The child's status. Never starts the child: before the first use (state `idle`) and after the breaker tripped
   * (`failed`) it resolves with `running: false`, so a status bar may poll it freely.
   */
  async status(options: RequestOptions = {}): Promise<EngineStatus> {
    if (this.currentState === "idle" || this.currentState === "failed") {
      return {
        running: false,
        device: this.initResult?.device ?? null,
        models: [],
        busy: { completion: false, chat: false },
        activeRequests: 0,
        memory: { rss: 0, llamaRam: 0, llamaVram: 0, freeRam: 0 },
        uptimeMs: 0,
        pid: 0,
      };
    }
    return this.request((c, token) => c.sendRequest(StatusRequest, token), options.signal);
  }

  /** Starts the child now instead of on first use (e.g. to show the backend early). Resolves when it is ready. */
  async start(options: RequestOptions = {}): Promise<void> {
    await this.ensureStarted(options.signal);
  }

  /** Fit estimates for model files (starts the child when needed; no model is loaded). */
  async estimateFit(params: EstimateFitParams, options: RequestOptions = {}): Promise<EstimateFitResult> {
    return this.request((c, token) => c.sendRequest(EstimateFitRequest, params, token), options.signal);
  }

  /** **Benchmark only** (bench/engine.ts): fixed-length prefill + decode, see `BenchDecodeRequest`. */
  async benchDecode(params: BenchDecodeParams, options: RequestOptions = {}): Promise<BenchDecodeResult> {
    return this.request((c, token) => c.sendRequest(BenchDecodeRequest, params, token), options.signal);
  }

  /**
   * Stops the current child (gracefully), forgets past crashes (resets the breaker) and starts a fresh one,
   * reloading the models that were loaded. For the "Restart Engine" command.
   */
  async restart(): Promise<void> {
    this.assertNotDisposed();
    this.breaker.reset();
    this.clearRestartTimer();
    await this.stopChild(new EngineError(EngineErrorCode.Cancelled, "The engine was restarted."));
    this.setState("idle");
    await this.ensureStarted();
  }

  /** Shuts the child down (graceful `shutdown`, then SIGKILL after `shutdownTimeoutMs`). Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.currentState === "disposed") return;
    this.setState("disposed");
    this.clearRestartTimer();
    await this.stopChild(new EngineError(EngineErrorCode.Disposed, "The inference engine was shut down."));
    for (const emitter of [this.logEmitter, this.stateEmitter, this.progressEmitter, this.crashEmitter, this.breakerEmitter, this.modelStateEmitter]) {
      emitter.dispose();
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Requests
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Sends one request. Settles exactly once: with the child's answer, with `EngineCrashedError` when the child dies,
   * with `EngineCancelledError` when `signal` aborts (or `onAbort()`'s value after `cancelGraceMs` if the child
   * has not answered by then), or with the child's typed error.
   */
  private async request<R>(
    send: (connection: MessageConnection, token: CancellationToken) => Promise<R>,
    signal: AbortSignal | undefined,
    abortBehaviour?: { onAbort: () => R },
  ): Promise<R> {
    if (signal?.aborted) throw new EngineCancelledError();
    const child = await this.ensureStarted(signal);
    if (signal?.aborted) throw new EngineCancelledError();
    return sendTracked({
      connection: child.connection,
      send,
      signal,
      inFlight: this.inFlight,
      cancelGraceMs: this.options.cancelGraceMs,
      ...(abortBehaviour ? { onAbort: abortBehaviour.onAbort } : {}),
      failure: (error) => (child.exit != null ? this.crashError(child) : fromRpcError(error)),
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Child lifecycle
  // -------------------------------------------------------------------------------------------------------------

  private async ensureStarted(signal?: AbortSignal): Promise<ChildHandle> {
    this.assertNotDisposed();
    if (this.currentState === "failed") {
      throw new EngineError(
        EngineErrorCode.BreakerOpen,
        `The inference engine crashed ${this.options.crashBreaker.maxCrashes} times and was stopped. Last error: ${this.lastCrashMessage}`,
        { crashes: this.options.crashBreaker.maxCrashes },
      );
    }
    if (this.child && this.child.exit == null && this.currentState === "ready") return this.child;
    if (this.currentState === "restarting" && this.starting == null) {
      // A request during the backoff: start now rather than make the user wait for the timer.
      this.clearRestartTimer();
    }
    this.starting ??= this.spawnAndInitialize().finally(() => {
      this.starting = null;
    });
    if (signal == null) return this.starting;
    // The caller may give up waiting for the start; the start itself goes on for the next caller.
    return new Promise<ChildHandle>((resolve, reject) => {
      const onAbort = (): void => reject(new EngineCancelledError());
      signal.addEventListener("abort", onAbort, { once: true });
      this.starting!.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  }

  private async spawnAndInitialize(): Promise<ChildHandle> {
    if (this.currentState !== "restarting") this.setState("starting");
    const gpu = this.gpuCrashReason ? false : this.options.gpu;
    const binaryPackages = this.gpuCrashReason ? undefined : await this.options.binaryPackages().catch((error: unknown) => {
      this.log("warn", `the downloaded GPU packages could not be listed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    });
    const child = ChildHandle.spawn({
      childPath: this.options.childPath,
      execPath: this.options.execPath,
      env: this.options.env,
      onOutput: (stream, line) => this.logEmitter.fire({ level: stream === "stderr" ? "warn" : "info", message: line, source: stream }),
    });
    this.child = child;
    if (gpu !== false) this.gpuStart = child;
    this.wire(child);
    this.log("info", `starting inference engine (pid ${child.pid ?? "?"})`);
    try {
      await child.waitReady(this.options.handshakeTimeoutMs);
      this.initResult = await withTimeout(
        child.connection.sendRequest(InitializeRequest, {
          protocolVersion: PROTOCOL_VERSION,
          cacheDir: this.options.cacheDir,
          gpu,
          ...(this.options.threads != null ? { threads: this.options.threads } : {}),
          idleUnloadMs: this.options.idleUnloadMs,
          logLevel: this.options.logLevel,
          ...(binaryPackages && binaryPackages.names.length > 0 ? { binaryPackages } : {}),
          engineBinary: this.engineBinaryGivenUp != null ? null : this.options.engineBinary,
          requireEngineBinary: this.options.requireEngineBinary,
        }),
        this.options.handshakeTimeoutMs,
        () => new EngineError(EngineErrorCode.StartFailed, `The inference engine did not initialize within ${this.options.handshakeTimeoutMs} ms.`),
      );
      if (this.gpuCrashReason) this.initResult = { ...this.initResult, gpuFallbackReason: this.gpuCrashReason };
      if (this.engineBinaryGivenUp != null && this.options.engineBinary != null && this.initResult.binary.localBuildFallbackReason == null) {
        this.initResult = { ...this.initResult, binary: { ...this.initResult.binary, localBuildFallbackReason: this.engineBinaryGivenUp } };
      }
    } catch (error) {
      // The connection may close a moment before the exit is reported: wait briefly to tell a crash from a refusal.
      if (child.exit == null && !(error instanceof EngineError)) await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, 500))]);
      if (child.exit != null && this.gpuStart === child) {
        // A GPU binary that kills the process while loading (a native abort, a driver fault): start again on the CPU.
        this.gpuStart = null;
        this.gpuCrashReason = `the engine stopped while loading ${gpu === "auto" ? "a GPU binary" : `the ${gpu} GPU binary`} (exit code ${child.exit.code}, signal ${child.exit.signal})${child.lastStderr(1) ? `: ${child.lastStderr(1)}` : ""}`;
        this.log("warn", `${this.gpuCrashReason}; starting again on the CPU`);
        if (this.child === child) this.child = null;
        return this.spawnAndInitialize();
      }
      const failure = child.exit != null ? this.crashError(child) : error instanceof EngineError ? error : fromRpcError(error);
      if (child.exit != null && this.options.engineBinary != null && this.engineBinaryGivenUp == null && !this.options.requireEngineBinary) {
        // A native build that kills the process while loading (no exception to catch): the next start uses the prebuilt.
        this.engineBinaryGivenUp = "the engine stopped while loading the build for this CPU";
        this.log("warn", `the engine died while loading the local build ${this.options.engineBinary}; the prebuilt binary is used from now on`);
      }
      if (child.exit == null) {
        // Hung or refused: kill it; the exit is handled as a crash (counts towards the breaker).
        child.process.kill("SIGKILL");
      }
      throw new EngineError(EngineErrorCode.StartFailed, `The inference engine failed to start: ${failure.message}`);
    } finally {
      if (this.gpuStart === child) this.gpuStart = null;
    }
    await this.reloadModels(child);
    if (child.exit != null) throw this.crashError(child);
    this.setState("ready");
    return child;
  }

  /** After a restart, brings back the models the host had loaded (failures are logged, not thrown). */
  private async reloadModels(child: ChildHandle): Promise<void> {
    for (const [role, params] of [...this.loadedModels]) {
      if (child.exit != null) return;
      try {
        await child.connection.sendRequest(LoadModelRequest, params);
        this.log("info", `reloaded the ${role} model after restart`);
      } catch (error) {
        if (child.exit != null) return;
        this.loadedModels.delete(role);
        this.log("error", `could not reload the ${role} model after restart: ${fromRpcError(error).message}`);
      }
    }
  }

  private wire(child: ChildHandle): void {
    const c = child.connection;
    c.onNotification(LogNotification, (p) => this.logEmitter.fire({ level: p.level, message: p.message, source: "engine" }));
    c.onNotification(LoadProgressNotification, (p) => this.progressEmitter.fire(p));
    c.onNotification(ModelStateNotification, (p) => this.modelStateEmitter.fire(p));
    c.onNotification(TextChunkNotification, (p) => this.chunkListeners.get(p.requestId)?.(p.text));
    c.onNotification(CrashNotification, (p) => {
      this.lastCrashMessage = p.message;
      this.log("error", `inference engine crash report: ${p.message}${p.stack ? `\n${p.stack}` : ""}`);
    });
    // vscode-jsonrpc reports protocol problems here; they are not fatal by themselves.
    c.onError(([error]) => this.log("warn", `engine connection error: ${error.message}`));
    void child.exited.then((exit) => this.onChildExit(child, exit.code, exit.signal));
  }

  private onChildExit(child: ChildHandle, code: number | null, signal: NodeJS.Signals | null): void {
    child.dispose();
    if (this.child !== child) return;
    // Handled by spawnAndInitialize: the same start goes on without the GPU.
    if (child === this.gpuStart) return;
    this.child = null;
    if (child.intentional || this.currentState === "disposed") return;

    const error = this.crashError(child);
    this.lastCrashMessage = error.message;
    for (const entry of [...this.inFlight]) entry.reject(error);
    if (signal === "SIGILL" && this.initResult?.binary.source === "localBuild" && !this.options.requireEngineBinary && this.engineBinaryGivenUp == null) {
      // The build for this CPU used an instruction this machine will not run (a CPU feature the system does not
      // enable): every later start would die the same way, so the restart uses the prebuilt binary.
      this.engineBinaryGivenUp = "the build for this CPU stopped on an illegal instruction (SIGILL)";
      this.log("warn", `${this.engineBinaryGivenUp}; the prebuilt binary is used from now on`);
    }

    const { crashes, restartInMs: delay } = this.breaker.record(Date.now());
    const { windowMs } = this.options.crashBreaker;
    this.log("error", `${error.message} (${crashes} crash(es) in the last ${Math.round(windowMs / 1000)} s)`);
    if (delay == null) {
      this.setState("failed");
      this.crashEmitter.fire({ exitCode: code, signal, message: error.message, crashesInWindow: crashes, restartInMs: null });
      this.breakerEmitter.fire({ crashes, windowMs, lastMessage: error.message });
      return;
    }
    this.setState("restarting");
    this.crashEmitter.fire({ exitCode: code, signal, message: error.message, crashesInWindow: crashes, restartInMs: delay });
    this.clearRestartTimer();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.currentState !== "restarting" || this.starting) return;
      this.starting = this.spawnAndInitialize().finally(() => {
        this.starting = null;
      });
      // Nobody awaits an automatic restart: a failure here is logged (and a crash is handled by onChildExit).
      this.starting.catch((e: unknown) => this.log("error", `restart failed: ${e instanceof Error ? e.message : String(e)}`));
    }, delay);
  }

  private crashError(child: ChildHandle): EngineCrashedError {
    const exit = child.exit ?? { code: null, signal: null };
    const detail = this.lastCrashMessage && child === this.child ? this.lastCrashMessage : child.lastStderr(3);
    return new EngineCrashedError(
      `The inference engine stopped unexpectedly (exit code ${exit.code}, signal ${exit.signal})${detail ? `: ${detail}` : "."}`,
      exit.code,
      exit.signal,
    );
  }

  /** Graceful shutdown of the current (or starting) child, SIGKILL after the timeout; rejects in-flight requests. */
  private async stopChild(reason: EngineError): Promise<void> {
    const child = this.child;
    for (const entry of [...this.inFlight]) entry.reject(reason);
    if (child == null) return;
    child.intentional = true;
    if (child.exit == null) {
      try {
        await withTimeout(
          child.connection.sendRequest(ShutdownRequest).then(() => child.exited),
          this.options.shutdownTimeoutMs,
          () => new Error("shutdown timed out"),
        );
      } catch {
        this.log("warn", "the inference engine did not shut down in time; killing it");
      }
      await child.kill();
    }
    if (this.child === child) this.child = null;
    await this.starting?.catch(() => undefined);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private assertNotDisposed(): void {
    if (this.currentState === "disposed") throw new EngineError(EngineErrorCode.Disposed, "The inference engine was shut down.");
  }

  private setState(state: BackendState): void {
    if (state === this.currentState) return;
    const previous = this.currentState;
    this.currentState = state;
    this.stateEmitter.fire({ state, previous });
  }

  private log(level: LogLevel, message: string): void {
    this.logEmitter.fire({ level, message, source: "client" });
  }
}
