/**
 * One loaded GGUF model: the `LlamaModel`, its single context with two sequences (completion and chat, so a long
 * chat answer never evicts the completion's KV cache and both can run at once), the `LlamaCompletion` and the
 * `LlamaChatSession` on them, the thread choice, and the idle-unload timer.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import {
  GgufInsights,
  InsufficientMemoryError,
  LlamaChatSession,
  LlamaCompletion,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
} from "node-llama-cpp";
import { describeSwitch, draftingSwitch, EDIT_LOOKUP, PROMPT_LOOKUP, type DraftingSwitch } from "./speculative.ts";
import type { SpeculativeGate } from "./speculativeGate.ts";
import { EngineError } from "../errors.ts";
import {
  EngineErrorCode,
  type LoadModelParams,
  type LoadProgressParams,
  type LoadedModelInfo,
  type ModelRole,
  type RequestMetrics,
} from "../protocol.ts";
import type { ChildLogger } from "./log.ts";
import { checkModelFile } from "./modelCheck.ts";
import { applyThreads, DecodeWatch } from "./threadRecheck.ts";
import { WarmFiles } from "./warmFiles.ts";
import { measureThreads, readCachedThreads, threadCacheKey, writeCachedThreads } from "./threadTuning.ts";

/** Context size bounds when the host does not ask for one (per sequence). */
export const DEFAULT_MIN_CONTEXT = 2048;
export const DEFAULT_MAX_CONTEXT = 8192;
/** The two sequences of the context. */
export const SEQUENCES = 2;

export interface LoadedModelDeps {
  llama: Llama;
  log: ChildLogger;
  cacheDir: string | null;
  device: string;
  /** The `initialize` thread override (`null`: measure). */
  threadsOverride: number | null;
  progress: (p: Omit<LoadProgressParams, "path" | "loadId">) => void;
}

/** What is live while the model is in memory. */
export interface LiveModel {
  model: LlamaModel;
  context: LlamaContext;
  completionSequence: LlamaContextSequence;
  chatSequence: LlamaContextSequence;
  completion: LlamaCompletion;
  chat: LlamaChatSession;
  /** Saved states of recently used files for the completion sequence. */
  warmFiles: WarmFiles;
  /** The completion sequence's drafting switch, and in `auto` what decides it per request; null when off. */
  speculative: DraftingSwitch | null;
  /** The same for edits on the chat sequence (other chat answers never draft); null when off. */
  speculativeEdits: DraftingSwitch | null;
}

export class LoadedModel {
  readonly path: string;
  readonly roles = new Set<ModelRole>();
  private live: LiveModel | null = null;
  private loading: Promise<LiveModel> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private active = 0;
  private info: Omit<LoadedModelInfo, "roles" | "state"> | null = null;
  /** Set by `dispose()`: a pending reload must not resurrect the model. */
  private disposed = false;
  /** Live decode speed of completions, against the speed after load (threadRecheck.ts). */
  private readonly decodeWatch = new DecodeWatch();
  /** The thread count chosen at load (measured or remembered), which a re-check under load may lower. */
  private threadsAtLoad: number | null = null;

  constructor(
    readonly spec: LoadModelParams,
    private readonly deps: LoadedModelDeps,
    private readonly idleUnloadMs: number,
    private readonly onIdleUnload: (model: LoadedModel) => void,
  ) {
    this.path = spec.path;
  }

  get isLive(): boolean {
    return this.live != null;
  }

  /** Loads (or reloads after an idle unload) and returns the live objects. Concurrent callers share one load. */
  async ensureLoaded(signal?: AbortSignal): Promise<LiveModel> {
    if (this.live) return this.live;
    if (this.disposed) throw new EngineError(EngineErrorCode.NotLoaded, `Model was unloaded: ${this.path}`);
    this.loading ??= this.load(signal).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Marks a request as running: the idle timer cannot fire until `release()`. */
  acquire(): void {
    this.active++;
    this.clearIdleTimer();
  }

  release(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0) this.armIdleTimer();
  }

  describe(): LoadedModelInfo {
    const base = this.info ?? {
      path: this.path,
      name: path.basename(this.path),
      architecture: "unknown",
      fimSupported: false,
      chatWrapper: "unknown",
      contextSize: 0,
      trainContextSize: null,
      gpuLayers: 0,
      threads: 0,
      threadsSource: "measured" as const,
      fileSize: 0,
      memory: { ram: 0, vram: 0 },
    };
    const speculative = this.live?.speculative;
    const speculativeEdits = this.live?.speculativeEdits;
    return {
      ...base,
      roles: [...this.roles].sort(),
      state: this.live ? "loaded" : this.loading ? "loading" : "idleUnloaded",
      ...(speculative ? { speculative: describeSwitch(speculative) } : {}),
      ...(speculativeEdits ? { speculativeEdits: describeSwitch(speculativeEdits) } : {}),
    };
  }

  /**
   * A completion the user waited for (not a background prefetch) finished: its decode speed feeds the thread
   * re-check and, in `auto`, the speculative gate.
   */
  observeCompletion(metrics: RequestMetrics): void {
    this.decodeWatch.observe(metrics.tokensPerSecond, metrics.generatedTokens);
    this.observeDrafting("completions", this.live?.speculative?.gate, metrics);
  }

  /** An edit's answer finished: in `auto`, its decode speed feeds the edits' speculative gate. */
  observeEdit(metrics: RequestMetrics): void {
    this.observeDrafting("edits", this.live?.speculativeEdits?.gate, metrics);
  }

  private observeDrafting(what: string, gate: SpeculativeGate | null | undefined, metrics: RequestMetrics): void {
    if (!gate || !metrics.speculative) return;
    const before = gate.choice;
    gate.observe(metrics.speculative.drafting, metrics.tokensPerSecond, metrics.generatedTokens);
    if (gate.choice !== before) this.deps.log.info(`speculative decoding of ${what} (auto): ${gate.choice}, decode tokens/s drafting ${gate.measured.drafting} vs plain ${gate.measured.plain}`);
  }

  /**
   * The thread count is ours to choose, and live decode fell far below the speed after load, or a re-check under
   * load left fewer threads than chosen at load a while ago.
   */
  get needsThreadRecheck(): boolean {
    if (this.live == null || this.info == null || this.info.threadsSource === "setting") return false;
    return this.decodeWatch.dropped || (this.threadsAtLoad != null && this.decodeWatch.shouldRetry(this.info.threads, this.threadsAtLoad));
  }

  /**
   * Measures the thread candidates again and applies the winner to the context (from its next batch). The engine
   * calls it only after a pause with no request, and aborts it (between candidates) when one arrives; an aborted
   * re-check is not counted, so the next pause tries again.
   */
  async recheckThreads(signal: AbortSignal): Promise<void> {
    const live = this.live;
    if (live == null || this.info == null) return;
    const started = performance.now();
    const measured = await measureThreads(live.model, Math.max(1, this.deps.llama.cpuMathCores), signal);
    signal.throwIfAborted();
    this.decodeWatch.rechecked();
    const applied = measured.threads === live.context.idealThreads || applyThreads(live.context, measured.threads);
    if (applied) this.info = { ...this.info, threads: measured.threads };
    this.deps.log.info(
      `thread re-check after a decode slowdown in ${Math.round(performance.now() - started)} ms: ` +
        measured.measurements.map((m) => `${m.threads}t decode ${m.decodeTokensPerSecond} t/s`).join("; ") +
        ` -> ${measured.threads}${applied ? "" : " (could not be applied; kept " + String(live.context.idealThreads) + ")"}`,
    );
  }

  /** Frees the context and the model (an idle unload keeps `spec`, so `ensureLoaded` can bring it back). */
  async unloadWeights(): Promise<void> {
    this.clearIdleTimer();
    const live = this.live;
    this.live = null;
    if (live == null) return;
    live.completion.dispose();
    live.chat.dispose();
    await live.warmFiles.dispose();
    await live.context.dispose();
    await live.model.dispose();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    // Wait for a load in flight, so its objects are freed too.
    await this.loading?.catch(() => undefined);
    await this.unloadWeights();
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (this.idleUnloadMs <= 0 || this.live == null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.active === 0 && this.live) this.onIdleUnload(this);
    }, this.idleUnloadMs);
    // The timer alone must not keep the child alive.
    this.idleTimer.unref();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private async load(signal?: AbortSignal): Promise<LiveModel> {
    const { llama, log } = this.deps;
    // llama.cpp reports load progress hundreds of times; the host needs a few steps, not an IPC storm.
    let last = { phase: "", progress: -1 };
    const progress = (p: { phase: LoadProgressParams["phase"]; progress: number }): void => {
      if (p.phase === last.phase && p.progress - last.progress < 0.05 && p.progress < 1) return;
      last = p;
      this.deps.progress(p);
    };
    const started = performance.now();
    // Where the load time goes, for the log line (ms per phase).
    const phases: string[] = [];
    let mark = started;
    const lap = (name: string): void => {
      const now = performance.now();
      phases.push(`${name} ${Math.round(now - mark)}`);
      mark = now;
    };
    progress({ phase: "checking", progress: 0 });
    const checked = await checkModelFile(this.path);
    const insights = await GgufInsights.from(checked.info, llama);
    if (!insights.isSupportedByLlamaCpp) {
      throw new EngineError(
        EngineErrorCode.ModelUnsupportedArchitecture,
        `Model architecture "${checked.architecture}" is not supported by the bundled llama.cpp (${llama.llamaCppRelease.release}).`,
        { path: this.path, architecture: checked.architecture },
      );
    }
    const trainContextSize = insights.trainContextSize ?? null;
    const contextBounds = this.contextBounds(trainContextSize);
    await this.checkFits(insights, contextBounds.min);
    signal?.throwIfAborted();

    lap("check");
    progress({ phase: "loading", progress: 0.05 });
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: this.path,
        gpuLayers: this.spec.gpuLayers ?? "auto",
        defaultContextFlashAttention: this.spec.flashAttention ?? "auto",
        onLoadProgress: (p) => progress({ phase: "loading", progress: 0.05 + 0.7 * p }),
        ...(signal ? { loadSignal: signal } : {}),
      });
    } catch (error) {
      throw mapLoadError(error, this.path);
    }

    try {
      lap("weights");
      const threadChoice = await this.chooseThreads(model, checked.fileSize, signal);
      lap("threads");
      progress({ phase: "creatingContext", progress: 0.95 });
      let context: LlamaContext;
      try {
        context = await model.createContext({
          contextSize: this.spec.contextSize ?? contextBounds,
          sequences: SEQUENCES,
          threads: threadChoice.threads,
          flashAttention: this.spec.flashAttention ?? "auto",
          ...(signal ? { createSignal: signal } : {}),
        });
      } catch (error) {
        throw mapLoadError(error, this.path);
      }
      // Prompt-lookup drafting: greedy output stays the same, verified drafts save decode steps where code repeats.
      const speculative = draftingSwitch(this.spec.speculative, PROMPT_LOOKUP);
      const speculativeEdits = draftingSwitch(this.spec.speculativeEdits, EDIT_LOOKUP);
      const completionSequence = context.getSequence(speculative ? { tokenPredictor: speculative.predictor } : {});
      const chatSequence = context.getSequence(speculativeEdits ? { tokenPredictor: speculativeEdits.predictor } : {});
      const completion = new LlamaCompletion({ contextSequence: completionSequence });
      // "auto" resolves the wrapper from the GGUF's chat template (Jinja or a known family).
      const chat = new LlamaChatSession({ contextSequence: chatSequence, chatWrapper: "auto", autoDisposeSequence: false });
      const live: LiveModel = { model, context, completionSequence, chatSequence, completion, chat, warmFiles: new WarmFiles(log), speculative, speculativeEdits };
      lap("context");
      const memory = context.memoryUsage;
      this.info = {
        path: this.path,
        name: path.basename(this.path),
        architecture: checked.architecture,
        fimSupported: model.tokens.infill.prefix != null && model.tokens.infill.suffix != null,
        chatWrapper: chat.chatWrapper.wrapperName,
        contextSize: context.contextSize,
        trainContextSize,
        gpuLayers: model.gpuLayers,
        threads: threadChoice.threads,
        threadsSource: threadChoice.source,
        fileSize: checked.fileSize,
        memory: { ram: model.size + memory.ram, vram: memory.vram },
      };
      this.threadsAtLoad = threadChoice.threads;
      if (this.disposed) {
        // Unloaded while we were loading: free everything right away.
        this.live = live;
        await this.unloadWeights();
        throw new EngineError(EngineErrorCode.NotLoaded, `Model was unloaded while loading: ${this.path}`);
      }
      this.live = live;
      this.armIdleTimer();
      progress({ phase: "done", progress: 1 });
      log.info(
        `loaded ${path.basename(this.path)} (${checked.architecture}, ctx ${context.contextSize}, ` +
          `threads ${threadChoice.threads} [${threadChoice.source}], gpuLayers ${model.gpuLayers}, ` +
          `fim ${this.info.fimSupported}, chat wrapper ${this.info.chatWrapper}) in ${Math.round(performance.now() - started)} ms ` +
          `(${phases.join(", ")})`,
      );
      return live;
    } catch (error) {
      if (this.live == null && !model.disposed) await model.dispose();
      throw error;
    }
  }

  private contextBounds(trainContextSize: number | null): { min: number; max: number } {
    const cap = trainContextSize ?? DEFAULT_MAX_CONTEXT;
    return { min: Math.min(DEFAULT_MIN_CONTEXT, cap), max: Math.min(DEFAULT_MAX_CONTEXT, cap) };
  }

  /**
   * Refuses early, with numbers, when the model plus the smallest usable context cannot fit in RAM. CPU only: with a
   * GPU the split between RAM and VRAM is decided by node-llama-cpp's own fit (`gpuLayers: "auto"`, context
   * `{min, max}`), whose `InsufficientMemoryError` is mapped to the same typed error. (The configuration resolver's
   * `resolveAndScoreConfig` took 80 s for a huge context; these estimates take milliseconds.)
   */
  private async checkFits(insights: GgufInsights, minContext: number): Promise<void> {
    const { llama } = this.deps;
    if (llama.gpu !== false) return;
    const contextSize = this.spec.contextSize ?? minContext;
    const model = insights.estimateModelResourceRequirements({ gpuLayers: 0 });
    const context = insights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: 0, sequences: SEQUENCES });
    const needed = model.cpuRam + context.cpuRam;
    const ram = await llama.getRamState();
    if (needed > ram.free) {
      throw new EngineError(
        EngineErrorCode.InsufficientMemory,
        `Not enough memory for ${path.basename(this.path)} with a ${contextSize}-token context: ` +
          `needs ~${mib(needed)} MiB RAM, ${mib(ram.free)} MiB free. Choose a smaller model or context size.`,
        { path: this.path, neededRam: needed, freeRam: ram.free, contextSize },
      );
    }
  }

  private async chooseThreads(
    model: LlamaModel,
    fileSize: number,
    signal?: AbortSignal,
  ): Promise<{ threads: number; source: LoadedModelInfo["threadsSource"] }> {
    const override = this.spec.threads ?? this.deps.threadsOverride;
    if (override != null && override > 0) return { threads: override, source: "setting" };
    const { llama, cacheDir, device, log, progress } = this.deps;
    const cores = Math.max(1, llama.cpuMathCores);
    const { mtimeMs } = await stat(this.path);
    const key = threadCacheKey(this.path, fileSize, mtimeMs, cores, device);
    const cached = await readCachedThreads(cacheDir, key).catch(() => null);
    if (cached) return { threads: cached.threads, source: "cached" };
    progress({ phase: "tuningThreads", progress: 0.8 });
    const started = performance.now();
    const measured = await measureThreads(model, cores, signal);
    log.info(
      `thread measurement for ${path.basename(this.path)} in ${Math.round(performance.now() - started)} ms: ` +
        measured.measurements
          .map((m) => `${m.threads}t prefill ${m.prefillTokensPerSecond} t/s decode ${m.decodeTokensPerSecond} t/s`)
          .join("; ") +
        ` -> ${measured.threads}`,
    );
    await writeCachedThreads(cacheDir, key, measured).catch((error: unknown) =>
      log.warn(`could not write the thread cache: ${error instanceof Error ? error.message : String(error)}`),
    );
    return { threads: measured.threads, source: "measured" };
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/** llama.cpp's loader errors, in user terms. */
export function mapLoadError(error: unknown, modelPath: string): unknown {
  if (error instanceof EngineError) return error;
  if (error instanceof InsufficientMemoryError) {
    return new EngineError(
      EngineErrorCode.InsufficientMemory,
      `Not enough memory to load ${path.basename(modelPath)}: ${error.message}`,
      { path: modelPath },
    );
  }
  if (error instanceof Error && error.name === "AbortError") return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/unknown (model )?architecture/i.test(message)) {
    return new EngineError(EngineErrorCode.ModelUnsupportedArchitecture, `Unsupported model: ${message}`, { path: modelPath });
  }
  if (/not within the file bounds|truncat|unexpected end|failed to read/i.test(message)) {
    return new EngineError(EngineErrorCode.ModelTruncated, `Model file is truncated or corrupt: ${message}`, { path: modelPath });
  }
  return new EngineError(EngineErrorCode.ModelLoadFailed, `Failed to load ${path.basename(modelPath)}: ${message}`, {
    path: modelPath,
    reason: message,
  });
}
