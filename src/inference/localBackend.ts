/**
 * The local backend: llama.cpp in a crash-isolated child process (`LocalEngineClient` speaks the child's wire
 * protocol), seen through the backend-neutral `InferenceBackend` every feature uses. This class is where wire types
 * become neutral ones: a `ModelRef` becomes a file path and load options, the child's model info and status become
 * `LoadedModel` and `BackendStatus`, and the benchmark request becomes `measureSpeed`. Only it knows the engine's
 * device, threads, pid and memory; it also implements `LocalProcessInfo` for the crash and memory facts.
 */
import { speedFromBenchmark } from "../core/completion/budget.ts";
import { medianSpeed } from "../core/completion/liveSpeed.ts";
import {
  localModelRef,
  type BackendFacts,
  type BackendCapabilities,
  type BackendState,
  type BackendStatus,
  type ChatRequest,
  type ChatResult,
  type CompletionRequest,
  type CompletionResult,
  type InferenceBackend,
  type LoadedModel,
  type LocalProcessInfo,
  type ModelRef,
  type ModelRole,
  type PrewarmOutcome,
  type RequestOptions,
  type SpeedMeasurement,
  type CompleteOptions,
  type StreamOptions,
} from "../core/backend/index.ts";
import { LocalEngineClient, type LocalEngineClientOptions } from "./client.ts";
import { describeBinaryInfo } from "./binaryText.ts";
import { EngineError } from "./errors.ts";
import { EngineErrorCode, type BinaryInfo, type Device, type EstimateFitParams, type EstimateFitResult, type InitializeResult, type LoadedModelInfo, type LoadModelParams } from "./protocol.ts";

/** How models are loaded, read from the settings at each load. */
export interface LocalLoadSettings {
  /** Context size in tokens; `undefined`: as large as fits (the child decides). */
  readonly contextSize?: number;
  /** Layers on the GPU; default `"auto"` (what fits). */
  readonly gpuLayers?: number | "auto" | "max";
  /** Default `"auto"`. */
  readonly flashAttention?: boolean | "auto";
  /**
   * Speculative decoding with prompt-lookup drafts for completions: `auto` drafts per request where it measures
   * faster, `on` always, `off` never. Default `off`.
   */
  readonly speculative?: "auto" | "on" | "off";
  /** The same for answers that rewrite code (edits). Default `off`. */
  readonly speculativeEdits?: "auto" | "on" | "off";
}

export interface LocalBackendOptions extends LocalEngineClientOptions {
  /** Read at every load, so a settings change applies to the next load. Default: the child's defaults. */
  readonly loadSettings?: () => LocalLoadSettings;
}

/** The speed probe's fixed sizes: long enough to measure, short enough to run after every load. */
const PROBE_PROMPT_TOKENS = 96;
const PROBE_GENERATE_TOKENS = 8;
/** Probes at load; their median is the start of the live estimate (one busy moment must not set the budgets). */
const PROBES = 3;

export class LocalBackend implements InferenceBackend, LocalProcessInfo {
  readonly capabilities: BackendCapabilities = { fim: true, exactTokenizer: true, streaming: true, speedProbe: true, location: "local" };
  /** The child's client, for what only the engine has (benchmarks, tests). */
  readonly client: LocalEngineClient;
  private readonly loadSettings: () => LocalLoadSettings;
  /** The `ModelRef` each loaded path came from, so the child's path-based facts map back to the caller's refs. */
  private readonly refsByPath = new Map<string, ModelRef>();

  readonly onLog;
  readonly onStateChange;
  readonly onCrash;
  readonly onBreakerTripped;

  constructor(options: LocalBackendOptions) {
    const { loadSettings, ...clientOptions } = options;
    this.client = new LocalEngineClient(clientOptions);
    this.loadSettings = loadSettings ?? (() => ({}));
    this.onLog = this.client.onLog;
    this.onStateChange = this.client.onStateChange;
    this.onCrash = this.client.onCrash;
    this.onBreakerTripped = this.client.onBreakerTripped;
  }

  readonly onLoadProgress: InferenceBackend["onLoadProgress"] = (listener) =>
    this.client.onLoadProgress((progress) => listener({ ref: this.refFor(progress.path), progress: progress.progress }));

  get state(): BackendState {
    return this.client.state;
  }

  get pid(): number | undefined {
    return this.client.pid;
  }

  /** Device, versions and cores of the running child (null before the first start). */
  get engineInfo(): InitializeResult | null {
    return this.client.engineInfo;
  }

  async loadModel(role: ModelRole, model: ModelRef, options: RequestOptions = {}): Promise<LoadedModel> {
    if (model.path === undefined) {
      throw new EngineError(EngineErrorCode.InvalidParams, `${model.label} is not a model file on this machine; the local engine cannot load it.`);
    }
    const settings = this.loadSettings();
    const params: LoadModelParams = {
      path: model.path,
      role,
      loadId: `${role}:${model.label}`,
      ...(settings.contextSize !== undefined ? { contextSize: settings.contextSize } : {}),
      ...(settings.gpuLayers !== undefined ? { gpuLayers: settings.gpuLayers } : {}),
      ...(settings.flashAttention !== undefined ? { flashAttention: settings.flashAttention } : {}),
      ...(settings.speculative && settings.speculative !== "off" ? { speculative: draftingMode(settings.speculative) } : {}),
      ...(settings.speculativeEdits && settings.speculativeEdits !== "off" ? { speculativeEdits: draftingMode(settings.speculativeEdits) } : {}),
    };
    this.refsByPath.set(model.path, model);
    const result = await this.client.loadModel(params, options);
    return this.toLoadedModel(result.model);
  }

  async unloadModel(role?: ModelRole, options: RequestOptions = {}): Promise<void> {
    await this.client.unloadModel(role ? { role } : {}, options);
  }

  complete(request: CompletionRequest, options: CompleteOptions = {}): Promise<CompletionResult> {
    return this.client.complete(
      {
        ...request,
        extraContext: request.extraContext?.map((chunk) => ({ ...chunk })),
        stop: request.stop ? [...request.stop] : undefined,
      },
      options,
    );
  }

  prewarm(request: CompletionRequest, options: RequestOptions = {}): Promise<PrewarmOutcome> {
    const { prefix, currentLinePrefix, suffix, maxTokens } = request;
    const extraContext = request.extraContext?.map((chunk) => ({ ...chunk }));
    return this.client.prewarm({ prefix, currentLinePrefix, suffix, maxTokens, extraContext }, options);
  }

  chat(request: ChatRequest, options: StreamOptions = {}): Promise<ChatResult> {
    return this.client.chat(
      { ...request, messages: request.messages.map((m) => ({ ...m })), stop: request.stop ? [...request.stop] : undefined },
      options,
    );
  }

  countTokens(text: string, options: RequestOptions & { readonly role?: ModelRole } = {}): Promise<number> {
    return this.client.countTokens(text, { signal: options.signal, role: options.role });
  }

  async status(options: RequestOptions = {}): Promise<BackendStatus> {
    const status = await this.client.status(options);
    const info = this.client.engineInfo;
    const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
    const details = [
      `device ${status.device ?? "not started"}${info?.gpuFallbackReason ? ` (GPU unavailable: ${info.gpuFallbackReason})` : ""}`,
      ...status.models.map((m) => `${m.name} (${m.roles.join(" + ")}): ${m.threads} threads (${m.threadsSource}), context ${m.contextSize}, ${m.state}`),
      `memory ${mib(status.memory.rss)} (process)`,
      info ? `node-llama-cpp ${info.versions.nodeLlamaCpp}, llama.cpp ${llamaCppVersion(info)}` : "",
      info ? `binary ${describeBinaryInfo(info.binary)}` : "",
    ].filter((line) => line !== "");
    return {
      running: status.running,
      models: status.models.map((m) => this.toLoadedModel(m)),
      busy: status.busy,
      activeRequests: status.activeRequests,
      details,
      facts: {
        ...(status.device ? { device: status.device } : {}),
        ...(info?.gpuFallbackReason ? { gpuFallbackReason: info.gpuFallbackReason } : {}),
        residentBytes: status.memory.rss,
        ...(info ? { binary: binaryFacts(info.binary) } : {}),
        ...(info ? { versions: { "node-llama-cpp": info.versions.nodeLlamaCpp, "llama.cpp": llamaCppVersion(info) } } : {}),
      },
    };
  }

  /** node-llama-cpp's fit estimates for model files on this machine (local only: it reads the files). */
  estimateFit(params: EstimateFitParams, options: RequestOptions = {}): Promise<EstimateFitResult> {
    return this.client.estimateFit(params, options);
  }

  async measureSpeed(role: ModelRole, options: RequestOptions = {}): Promise<SpeedMeasurement> {
    const samples = [];
    for (let i = 0; i < PROBES; i++) {
      const bench = await this.client.benchDecode({ role, promptTokens: PROBE_PROMPT_TOKENS, generateTokens: PROBE_GENERATE_TOKENS }, options);
      samples.push(speedFromBenchmark(PROBE_PROMPT_TOKENS, bench.prefillMs, PROBE_GENERATE_TOKENS, bench.decodeMs));
    }
    return medianSpeed(samples);
  }

  async residentBytes(options: RequestOptions = {}): Promise<number> {
    return (await this.client.status(options)).memory.rss;
  }

  restart(): Promise<void> {
    return this.client.restart();
  }

  dispose(): Promise<void> {
    return this.client.dispose();
  }

  private refFor(path: string): ModelRef {
    return this.refsByPath.get(path) ?? localModelRef(path);
  }

  private toLoadedModel(info: LoadedModelInfo): LoadedModel {
    return {
      ref: this.refFor(info.path),
      name: info.name,
      roles: info.roles,
      contextSize: info.contextSize,
      fimSupported: info.fimSupported,
      chatFormat: info.chatWrapper,
      details: describeModel(info, this.client.engineInfo?.device),
      facts: {
        architecture: info.architecture,
        device: this.client.engineInfo?.device ?? "cpu",
        threads: info.threads,
        threadsSource: info.threadsSource,
        gpuLayers: info.gpuLayers,
        fileBytes: info.fileSize,
        state: info.state,
        ...(info.speculative ? { speculative: info.speculative } : {}),
        ...(info.speculativeEdits ? { speculativeEdits: info.speculativeEdits } : {}),
      },
    };
  }
}

/** The setting's `on` is the engine's `promptLookup`. */
function draftingMode(setting: "auto" | "on"): "auto" | "promptLookup" {
  return setting === "on" ? "promptLookup" : "auto";
}

function llamaCppVersion(info: InitializeResult): string {
  return info.versions.llamaCppCommit ? `commit ${info.versions.llamaCppCommit}` : `binaries ${info.versions.llamaCpp}`;
}

function describeModel(info: LoadedModelInfo, device: Device | null | undefined): string[] {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  return [
    `${info.architecture}, context ${info.contextSize} tokens`,
    `${device ?? "cpu"}, ${info.threads} threads (${info.threadsSource})${info.gpuLayers > 0 ? `, ${info.gpuLayers} GPU layers` : ""}`,
    `file ${gib(info.fileSize)}, FIM ${info.fimSupported ? "supported" : "not supported (prefix-only completion)"}`,
    ...([["completions", info.speculative], ["edits", info.speculativeEdits]] as const).flatMap(([what, s]) =>
      s ? [`speculative decoding of ${what} ${s.choice} (decode tokens/s drafting ${s.draftingTokensPerSecond ?? "-"}, plain ${s.plainTokensPerSecond ?? "-"})`] : [],
    ),
  ];
}

function binaryFacts(binary: BinaryInfo): NonNullable<BackendFacts["binary"]> {
  return {
    source: binary.source,
    ...(binary.package ? { package: binary.package } : {}),
    ...(binary.location ? { location: binary.location } : {}),
    ...(binary.localBuildFallbackReason ? { localBuildFallbackReason: binary.localBuildFallbackReason } : {}),
  };
}
