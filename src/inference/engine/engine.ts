/**
 * The child's state and request handlers: one `Llama`, the loaded models by path, which model serves which role,
 * and the bookkeeping of running requests (newer completion supersedes older; busy flags for `status`).
 */
import os from "node:os";
import path from "node:path";
import { LlamaLogLevel, type Llama, type Token } from "node-llama-cpp";
import { EngineError } from "../errors.ts";
import { llamaCppCommit } from "./versions.ts";
import {
  EngineErrorCode,
  PROTOCOL_VERSION,
  type Device,
  type BenchDecodeParams,
  type BenchDecodeResult,
  type ChatParams,
  type ChatResult,
  type CompleteParams,
  type CompleteResult,
  type EstimateFitParams,
  type EstimateFitResult,
  type EngineStatus,
  type InitializeParams,
  type InitializeResult,
  type LoadModelParams,
  type LoadModelResult,
  type LoadProgressParams,
  type PrewarmParams,
  type PrewarmResult,
  type LogLevel,
  type ModelRole,
  type ModelStateParams,
  type TokenizeParams,
  type UnloadModelParams,
  type UnloadModelResult,
} from "../protocol.ts";
import { describeBinaryInfo } from "../binaryText.ts";
import { benchPromptTokens } from "./benchPrompt.ts";
import { runChat } from "./chat.ts";
import { runCompletion, type AbortCause } from "./completion.ts";
import { estimateFits, InsightsCache } from "./fitEstimate.ts";
import { LoadedModel } from "./loadedModel.ts";
import { startLlama } from "./llamaStartup.ts";
import { PrewarmControl, runPrewarm } from "./prewarm.ts";
import { RecheckScheduler } from "./threadRecheck.ts";
import type { ChildLogger } from "./log.ts";

const DEFAULT_IDLE_UNLOAD_MS = 15 * 60_000;
/** The pause without requests after which a thread re-check may run: typing sends a request every few hundred ms. */
const RECHECK_AFTER_IDLE_MS = 1_000;

export interface EngineSink {
  progress(p: LoadProgressParams): void;
  chunk(requestId: string, text: string): void;
  modelState(p: ModelStateParams): void;
}

interface RunningCompletion {
  requestId: string;
  controller: AbortController;
  cause: AbortCause | null;
}

export class Engine {
  private llama: Llama | null = null;
  private init: InitializeParams | null = null;
  private device: Device = "cpu";
  private readonly models = new Map<string, LoadedModel>();
  private readonly roles: Partial<Record<ModelRole, LoadedModel>> = {};
  private runningCompletion: RunningCompletion | null = null;
  private prewarmRun: { control: PrewarmControl; done: Promise<PrewarmResult> } | null = null;
  /** A thread re-check in progress (only while no request runs; a request aborts it). */
  /** The thread re-check after a decode slowdown (threadRecheck.ts), in pauses between requests. */
  private readonly recheck = new RecheckScheduler({ idleMs: RECHECK_AFTER_IDLE_MS, busy: () => this.activeRequests > 0, warn: (m) => this.log.warn(m) });
  private chatQueue: Promise<void> = Promise.resolve();
  private readonly busy = { completion: 0, chat: 0 };
  private activeRequests = 0;
  private readonly startedAt = performance.now();
  private readonly fitCache = new InsightsCache();

  constructor(
    private readonly log: ChildLogger,
    private readonly sink: EngineSink,
  ) {}

  async initialize(params: InitializeParams): Promise<InitializeResult> {
    if (params.protocolVersion !== PROTOCOL_VERSION) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `Protocol mismatch: host ${params.protocolVersion}, child ${PROTOCOL_VERSION}. Rebuild the extension.`,
      );
    }
    if (this.llama) throw new EngineError(EngineErrorCode.InvalidParams, "initialize was already called.");
    this.init = params;
    this.log.setLevel(params.logLevel ?? "info");
    const { llama, device, gpuFallbackReason, binary, version } = await startLlama(params, this.log, (level, message) => this.llamaLog(level, message));
    this.llama = llama;
    this.device = device;
    const result: InitializeResult = {
      protocolVersion: PROTOCOL_VERSION,
      versions: { nodeLlamaCpp: version, llamaCpp: this.llama.llamaCppRelease.release, llamaCppCommit: llamaCppCommit(), node: process.version },
      device: this.device,
      gpuFallbackReason,
      binary,
      gpuDevices: this.device === "cpu" ? [] : await this.llama.getGpuDeviceNames().catch(() => []),
      cpuCores: this.llama.cpuMathCores,
      threadsOverride: params.threads != null && params.threads > 0 ? params.threads : null,
      pid: process.pid,
      platform: process.platform,
      arch: process.arch,
    };
    this.log.info(
      `initialized: device ${result.device}${gpuFallbackReason ? ` (GPU fallback: ${gpuFallbackReason})` : ""}, ` +
        `binary ${describeBinaryInfo(binary)}, ` +
        `${result.cpuCores} math cores, node-llama-cpp ${result.versions.nodeLlamaCpp}, llama.cpp ${result.versions.llamaCppCommit ?? result.versions.llamaCpp}`,
    );
    return result;
  }

  async loadModel(params: LoadModelParams, signal: AbortSignal): Promise<LoadModelResult> {
    const llama = this.requireLlama();
    if (!path.isAbsolute(params.path)) {
      throw new EngineError(EngineErrorCode.InvalidParams, `Model path must be absolute: ${params.path}`);
    }
    if (params.role !== "completion" && params.role !== "chat") {
      throw new EngineError(EngineErrorCode.InvalidParams, `Unknown role: ${String(params.role)}`);
    }
    const started = performance.now();
    let model = this.models.get(params.path);
    const alreadyLoaded = model != null;
    if (model == null) {
      const init = this.init!;
      model = new LoadedModel(
        params,
        {
          llama,
          log: this.log,
          cacheDir: init.cacheDir,
          device: this.device,
          threadsOverride: init.threads != null && init.threads > 0 ? init.threads : null,
          progress: (p) => this.sink.progress({ ...p, path: params.path, loadId: params.loadId ?? null }),
        },
        init.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS,
        (m) => void this.idleUnload(m),
      );
      this.models.set(params.path, model);
    }
    try {
      model.acquire();
      try {
        await model.ensureLoaded(signal);
      } finally {
        model.release();
      }
    } catch (error) {
      if (!alreadyLoaded && model.roles.size === 0) {
        this.models.delete(params.path);
        await model.dispose();
      }
      throw error;
    }
    const previous = this.roles[params.role];
    this.roles[params.role] = model;
    model.roles.add(params.role);
    if (previous && previous !== model) await this.dropRole(previous, params.role);
    return { model: model.describe(), loadMs: Math.round(performance.now() - started), alreadyLoaded };
  }

  async unloadModel(params: UnloadModelParams): Promise<UnloadModelResult> {
    const unloaded: string[] = [];
    const targets: [LoadedModel, ModelRole[]][] = [];
    if (params.role) {
      const m = this.roles[params.role];
      if (m) targets.push([m, [params.role]]);
    } else {
      for (const m of this.models.values()) {
        if (params.path == null || m.path === params.path) targets.push([m, [...m.roles]]);
      }
    }
    for (const [model, roles] of targets) {
      for (const role of roles) if (await this.dropRole(model, role)) unloaded.push(model.path);
      if (roles.length === 0) {
        // A model that lost its roles while loading.
        this.models.delete(model.path);
        await model.dispose();
        unloaded.push(model.path);
      }
    }
    return { unloaded: [...new Set(unloaded)] };
  }

  async complete(params: CompleteParams, signal: AbortSignal): Promise<CompleteResult> {
    const model = this.modelFor("completion");
    // A user request never waits for a prewarm longer than the chunk it is evaluating.
    const prewarm = this.prewarmRun;
    prewarm?.control.ask("completion");
    // A newer completion makes the older one useless: stop it so the sequence frees up at the next token.
    if (this.runningCompletion) {
      this.runningCompletion.cause = "superseded";
      this.runningCompletion.controller.abort();
    }
    const running: RunningCompletion = { requestId: params.requestId, controller: new AbortController(), cause: null };
    this.runningCompletion = running;
    const abort = (cause: AbortCause): void => {
      running.cause ??= cause;
      running.controller.abort();
    };
    const onHostAbort = (): void => abort("cancelled");
    signal.addEventListener("abort", onHostAbort);
    if (signal.aborted) onHostAbort();
    return this.track("completion", model, async () => {
      try {
        await prewarm?.done.catch(() => undefined);
        await this.recheck.beforeRequest();
        await this.ensureLive(model, running.controller.signal);
        const result = await runCompletion({
          model,
          params,
          signal: running.controller.signal,
          cause: () => running.cause,
          abort,
          onChunk: params.stream ? (text) => this.sink.chunk(params.requestId, text) : null,
          log: this.log,
        });
        if (params.priority !== "background") model.observeCompletion(result.metrics);
        return result;
      } finally {
        this.recheck.afterRequest(model);
        signal.removeEventListener("abort", onHostAbort);
        if (this.runningCompletion === running) this.runningCompletion = null;
      }
    });
  }

  /** The host has the whole suggestion: the running completion `requestId` ends now with what it generated. */
  finishCompletion(requestId: string): void {
    const running = this.runningCompletion;
    if (running?.requestId !== requestId) return;
    running.cause ??= "finished";
    running.controller.abort();
  }

  async chat(params: ChatParams, signal: AbortSignal): Promise<ChatResult> {
    if (!Array.isArray(params.messages)) throw new EngineError(EngineErrorCode.InvalidParams, "chat: messages must be an array.");
    const model = this.modelFor("chat");
    // A chat answer someone waits for outranks a prewarm (it stops before its next chunk).
    this.prewarmRun?.control.ask("chat");
    // One chat at a time: the session's history is replaced per request, so a second one must wait its turn.
    const previous = this.chatQueue;
    let done!: () => void;
    this.chatQueue = new Promise<void>((resolve) => (done = resolve));
    try {
      await previous;
      signal.throwIfAborted();
      await this.recheck.beforeRequest();
      return await this.track("chat", model, async () => {
        await this.ensureLive(model, signal);
        const result = await runChat({ model, params, signal, onChunk: (text) => this.sink.chunk(params.requestId, text) });
        if (params.purpose === "edit") model.observeEdit(result.metrics);
        return result;
      });
    } finally {
      done();
    }
  }

  /** Evaluates an expected completion's prompt at the lowest priority; see `PrewarmRequest`. */
  async prewarm(params: PrewarmParams, signal: AbortSignal): Promise<PrewarmResult> {
    const model = this.modelFor("completion");
    const previous = this.prewarmRun;
    if (previous) {
      // The user moved on: the newer place wins.
      previous.control.ask("cancelled");
      await previous.done.catch(() => undefined);
    }
    const control = new PrewarmControl();
    if (this.runningCompletion != null || this.busy.completion > 0) control.ask("completion");
    else if (this.busy.chat > 0) control.ask("chat");
    const done = this.track(null, model, () => runPrewarm({ model, params, control, signal, log: this.log }));
    const run = { control, done };
    this.prewarmRun = run;
    try {
      return await done;
    } finally {
      if (this.prewarmRun === run) this.prewarmRun = null;
    }
  }

  async tokenize(params: TokenizeParams): Promise<Token[]> {
    const role = params.role ?? (this.roles.completion ? "completion" : "chat");
    const model = this.modelFor(role);
    const live = await this.track(null, model, () => this.ensureLive(model));
    return live.model.tokenize(params.text, params.specialTokens ?? false);
  }

  async status(): Promise<EngineStatus> {
    const memory = this.llama ? await this.llama.getLlamaMemoryUsage().catch(() => ({ cpuRam: 0, gpuVram: 0 })) : null;
    return {
      running: true,
      device: this.llama ? this.device : null,
      models: [...this.models.values()].map((m) => m.describe()),
      busy: { completion: this.busy.completion > 0, chat: this.busy.chat > 0 },
      activeRequests: this.activeRequests,
      memory: {
        rss: process.memoryUsage().rss,
        llamaRam: memory?.cpuRam ?? 0,
        llamaVram: memory?.gpuVram ?? 0,
        freeRam: os.freemem(),
      },
      uptimeMs: Math.round(performance.now() - this.startedAt),
      pid: process.pid,
    };
  }

  /** Fit estimates for model files (headers only, one after another); see `EstimateFitRequest`. */
  estimateFit(params: EstimateFitParams, signal: AbortSignal): Promise<EstimateFitResult> {
    return estimateFits(params, this.requireLlama(), this.fitCache, signal);
  }

  /** Benchmark only: see `BenchDecodeRequest`. */
  async benchDecode(params: BenchDecodeParams): Promise<BenchDecodeResult> {
    const role = params.role ?? "completion";
    const model = this.modelFor(role);
    return this.track(role, model, async () => {
      const live = await this.ensureLive(model);
      const sequence = role === "completion" ? live.completionSequence : live.chatSequence;
      await sequence.clearHistory();
      const prompt = benchPromptTokens(live.model, params.promptTokens);
      const t0 = performance.now();
      await sequence.evaluateWithoutGeneratingNewTokens(prompt);
      const prefillMs = performance.now() - t0;
      const t1 = performance.now();
      let generated = 0;
      if (params.generateTokens > 0) {
        for await (const token of sequence.evaluate([prompt[prompt.length - 1]], { temperature: 0 })) {
          void token;
          if (++generated >= params.generateTokens) break;
        }
      }
      const decodeMs = performance.now() - t1;
      await sequence.clearHistory();
      return { prefillMs, decodeMs, threads: live.context.currentThreads || model.describe().threads };
    });
  }

  /** Frees every model and the `Llama`. */
  async shutdown(): Promise<void> {
    this.recheck.dispose();
    this.runningCompletion?.controller.abort();
    this.prewarmRun?.control.ask("cancelled");
    for (const model of this.models.values()) await model.dispose().catch(() => undefined);
    this.models.clear();
    delete this.roles.completion;
    delete this.roles.chat;
    await this.llama?.dispose().catch(() => undefined);
    this.llama = null;
  }

  private requireLlama(): Llama {
    if (!this.llama) throw new EngineError(EngineErrorCode.NotInitialized, "The engine is not initialized.");
    return this.llama;
  }

  private modelFor(role: ModelRole): LoadedModel {
    this.requireLlama();
    const model = this.roles[role];
    if (!model) throw new EngineError(EngineErrorCode.NotLoaded, `No model is loaded for ${role}.`, { role });
    return model;
  }

  /** Reloads a model freed by the idle timer, and tells the host. */
  private async ensureLive(model: LoadedModel, signal?: AbortSignal) {
    const wasLive = model.isLive;
    const live = await model.ensureLoaded(signal);
    if (!wasLive) {
      this.log.info(`reloaded ${path.basename(model.path)} after idle unload`);
      this.sink.modelState({ path: model.path, state: "reloaded" });
    }
    return live;
  }

  private async track<T>(role: ModelRole | null, model: LoadedModel, run: () => Promise<T>): Promise<T> {
    this.activeRequests++;
    if (role) this.busy[role]++;
    model.acquire();
    try {
      return await run();
    } finally {
      model.release();
      if (role) this.busy[role]--;
      this.activeRequests--;
    }
  }

  /** Removes a role from a model; frees the model when it serves no role any more. Returns whether it was freed. */
  private async dropRole(model: LoadedModel, role: ModelRole): Promise<boolean> {
    model.roles.delete(role);
    if (this.roles[role] === model) delete this.roles[role];
    if (model.roles.size > 0) return false;
    this.models.delete(model.path);
    await model.dispose();
    this.log.info(`unloaded ${path.basename(model.path)}`);
    return true;
  }

  private async idleUnload(model: LoadedModel): Promise<void> {
    try {
      await model.unloadWeights();
      this.log.info(`unloaded ${path.basename(model.path)} after ${this.init?.idleUnloadMs ?? DEFAULT_IDLE_UNLOAD_MS} ms idle`);
      this.sink.modelState({ path: model.path, state: "idleUnloaded" });
    } catch (error) {
      this.log.error(`idle unload failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private llamaLog(level: LlamaLogLevel, message: string): void {
    const text = message.trim();
    if (text.length === 0) return;
    const mapped: LogLevel =
      level === LlamaLogLevel.error || level === LlamaLogLevel.fatal
        ? "error"
        : level === LlamaLogLevel.warn
          ? "warn"
          : level === LlamaLogLevel.debug
            ? "debug"
            : "info";
    this.log.log(mapped, `[llama.cpp] ${text}`);
  }
}
