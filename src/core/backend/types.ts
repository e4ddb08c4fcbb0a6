/**
 * What every feature needs from something that runs a model, whatever runs it: the local llama.cpp child
 * (`src/inference/localBackend.ts`) or, later, a remote OpenAI-compatible server. Features read `capabilities` and
 * adapt; they never learn how the model runs. Facts only a local process has (its pid, memory, crashes) live on
 * {@link LocalProcessInfo}, which only the local backend implements.
 *
 * No `vscode`, no Node: events have the `(listener) => Disposable` shape of `vscode.Event`, so the host passes them on.
 */
import type { ModelRef, ModelRole } from "./modelRef.ts";

export interface Disposable {
  dispose(): void;
}
/** An event: subscribe with a listener, dispose the result to unsubscribe (compatible with `vscode.Event`). */
export type BackendEvent<T> = (listener: (event: T) => void) => Disposable;

/** What a backend can do; features adapt to it instead of asking which backend it is. */
export interface BackendCapabilities {
  /** Fill-in-the-middle prompts (prefix + suffix). Without it completion sends the prefix only. */
  readonly fim: boolean;
  /** `countTokens` uses the model's own tokenizer (else it is an estimate). */
  readonly exactTokenizer: boolean;
  /** Text arrives in pieces while it is generated (`onChunk`). */
  readonly streaming: boolean;
  /** `measureSpeed()` exists: the budgets are derived from a measured prefill/decode speed. */
  readonly speedProbe: boolean;
  /** `local`: this machine computes (the code never leaves it); `remote`: a server the user configured. */
  readonly location: "local" | "remote";
}

/** Why generation stopped. `timeBudget`: the request's time ran out (partial text); `abort`: the user stopped it. */
export type StopReason = "eogToken" | "stopString" | "maxTokens" | "abort" | "timeBudget" | "functionCalls" | "contextFull";

/** Measured for every completion and chat request. */
export interface RequestMetrics {
  /** Tokens in the prompt as evaluated (special tokens included). */
  readonly promptTokens: number;
  /** Prompt tokens whose KV cache was reused from the previous request (0 where the backend cannot tell). */
  readonly reusedTokens: number;
  /** Prompt tokens that had to be evaluated. */
  readonly evaluatedTokens: number;
  readonly generatedTokens: number;
  /** Milliseconds to the first generated text (null if none). */
  readonly timeToFirstTokenMs: number | null;
  readonly totalMs: number;
  /** Decode speed after the first token (null with fewer than two tokens). */
  readonly tokensPerSecond: number | null;
  readonly stopReason: StopReason;
  /** Of the reused tokens, those restored from a saved state of a recently used file (local engine only). */
  readonly restoredTokens?: number;
  /**
   * Speculative decoding on a completion (local engine, when not off): whether this request drafted, and how many
   * drafted tokens the model confirmed and refuted.
   */
  readonly speculative?: { readonly drafting: boolean; readonly accepted: number; readonly rejected: number };
  /**
   * True when the backend reported no token counts and they were estimated (a remote server without `usage` or
   * `timings`: the prompt from its characters, the answer from the streamed pieces). Absent: counted.
   */
  readonly tokensEstimated?: boolean;
}

/** What a `prewarm` did. */
export interface PrewarmOutcome {
  readonly promptTokens: number;
  /** Tokens the backend held already. */
  readonly reusedTokens: number;
  readonly evaluatedTokens: number;
  /** The whole prompt is evaluated: the completion there needs only the cursor line. */
  readonly completed: boolean;
  /** Why it stopped early (a user request came first, or it was cancelled); null when it finished. */
  readonly yieldedTo: "completion" | "chat" | "cancelled" | null;
}

/** A piece of extra context (another file, a definition) placed before the prefix. */
export interface ContextChunk {
  /** Shown to the model as a path header when set. */
  readonly path?: string;
  readonly text: string;
}

export interface CompletionRequest {
  /** Text before the cursor's line when `currentLinePrefix` is set (ending in a newline), else before the cursor. */
  readonly prefix: string;
  /** The cursor line left of the cursor, placed after the middle marker so typing re-evaluates only typed tokens. */
  readonly currentLinePrefix?: string;
  readonly suffix: string;
  readonly extraContext?: readonly ContextChunk[];
  /** Default 64. */
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  /** Stop at the first newline (mid-line completion). Default false. */
  readonly stopAtLineEnd?: boolean;
  /** Return what was generated after this many ms. Default: none. */
  readonly timeBudgetMs?: number;
  /** 0 = greedy (default). */
  readonly temperature?: number;
  /** Seed of the sampler when `temperature` > 0. Default: random. */
  readonly seed?: number;
  /** `background`: a speculative prefetch that yields to work someone waits for. Default `user`. */
  readonly priority?: "user" | "background";
}

export interface CompletionResult {
  readonly text: string;
  /** `fim`: infill prompt; `prefixOnly`: the model has no FIM tokens. */
  readonly mode: "fim" | "prefixOnly";
  readonly metrics: RequestMetrics;
}

export interface ChatMessage {
  readonly role: "system" | "user" | "assistant";
  readonly text: string;
}

export interface SamplingOptions {
  /** Default 0.7. */
  readonly temperature?: number;
  /** Default 0.9. */
  readonly topP?: number;
  /** Default 40. */
  readonly topK?: number;
  /** Default 0.05. */
  readonly minP?: number;
  /** Default: random. */
  readonly seed?: number;
  /** Default 1.1; `1` disables. */
  readonly repeatPenalty?: number;
}

export interface ChatRequest {
  /** Oldest first; the last one is the user message to answer. */
  readonly messages: readonly ChatMessage[];
  readonly systemPrompt?: string;
  readonly sampling?: SamplingOptions;
  /** Default 2,048. */
  readonly maxTokens?: number;
  readonly stop?: readonly string[];
  /**
   * `edit`: the answer rewrites code given in the last message (Edit Selection, Fix, Write Doc Comment), so it repeats
   * much of it; the local engine drafts from it (speculative decoding). Default `chat`.
   */
  readonly purpose?: "chat" | "edit";
}

export interface ChatResult {
  /** The whole answer; partial when `metrics.stopReason` is `abort`. */
  readonly text: string;
  /** The history did not fit and its oldest part was dropped for this answer. */
  readonly contextShifted: boolean;
  readonly metrics: RequestMetrics;
}

/** A model as a backend serves it. */
export interface LoadedModel {
  readonly ref: ModelRef;
  /** Display name (file name, or the server's model id). */
  readonly name: string;
  readonly roles: readonly ModelRole[];
  readonly contextSize: number;
  readonly fimSupported: boolean;
  /** The chat template in use (e.g. `ChatML`), for logs. */
  readonly chatFormat: string;
  /** The facts above in English, for logs. */
  readonly details: readonly string[];
  /** What the backend knows of how it runs the model, for the UI to word in the user's language. */
  readonly facts: ModelFacts;
}

/** How a model runs; every field optional: a backend reports what it knows. */
export interface ModelFacts {
  readonly architecture?: string;
  /** The compute device (`cpu`, `cuda`, `vulkan`, `metal`). */
  readonly device?: string;
  readonly threads?: number;
  /** Where the thread count came from. */
  readonly threadsSource?: "setting" | "measured" | "cached";
  readonly gpuLayers?: number;
  readonly fileBytes?: number;
  /** `idleUnloaded`: freed after inactivity, reloaded on next use. */
  readonly state?: "loaded" | "idleUnloaded" | "loading";
  /** Speculative decoding on completions (absent when off): what it does now and the decode speeds measured each way. */
  readonly speculative?: SpeculativeFacts;
  /** The same for edits (answers that rewrite the code asked about; absent when off). */
  readonly speculativeEdits?: SpeculativeFacts;
}

export interface SpeculativeFacts {
  readonly choice: "always" | "measuring" | "drafting" | "plain";
  readonly draftingTokensPerSecond: number | null;
  readonly plainTokensPerSecond: number | null;
}

/** Prompt and generation speed measured on this backend (`measureSpeed`). */
export interface SpeedMeasurement {
  readonly prefillTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
}

/** Load progress of one model, 0..1. */
export interface LoadProgress {
  readonly ref: ModelRef;
  readonly progress: number;
}

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";
export interface LogEvent {
  readonly level: LogLevel;
  /** Metadata only, never prompt or generated text. */
  readonly message: string;
  /** Who said it: the backend itself, or raw output of a process it runs. */
  readonly source: "engine" | "stderr" | "stdout" | "client";
}

/**
 * `idle`: not started (starts on first use); `starting`; `ready`; `restarting` (after a crash);
 * `failed` (stays stopped until restarted); `disposed`.
 */
export type BackendState = "idle" | "starting" | "ready" | "restarting" | "failed" | "disposed";
export interface StateChangeEvent {
  readonly state: BackendState;
  readonly previous: BackendState;
}

export interface BackendStatus {
  readonly running: boolean;
  readonly models: readonly LoadedModel[];
  readonly busy: { readonly completion: boolean; readonly chat: boolean };
  readonly activeRequests: number;
  /** Device, versions and memory in English, for logs. */
  readonly details: readonly string[];
  /** The same for the UI to word in the user's language. */
  readonly facts: BackendFacts;
}

export interface BackendFacts {
  readonly device?: string;
  /** Why a GPU that was asked for is not used. */
  readonly gpuFallbackReason?: string;
  /** Resident memory of the process running the models, bytes. */
  readonly residentBytes?: number;
  /**
   * The llama.cpp binary a local engine runs: bundled with the extension, downloaded (GPU on demand) or built for this
   * CPU ("Optimize the Engine for This CPU"); `localBuildFallbackReason` when a local build was asked for and a
   * prebuilt binary runs instead.
   */
  readonly binary?: {
    readonly source: "bundled" | "downloaded" | "localBuild";
    readonly package?: string;
    readonly location?: string;
    readonly localBuildFallbackReason?: string;
  };
  /** Software and versions, e.g. `{ "node-llama-cpp": "3.22.1", "llama.cpp": "commit de3ff815ea7d" }`. */
  readonly versions?: Readonly<Record<string, string>>;
  /** A remote backend's servers: origin (no credentials), health, busy and total slots where the server says. */
  readonly servers?: readonly RemoteServerFacts[];
}

export interface RemoteServerFacts {
  readonly origin: string;
  readonly healthy: boolean;
  readonly busy?: number;
  readonly slots?: number;
}

export interface RequestOptions {
  /** Aborting cancels the request: it rejects with an error whose `code` is `cancelled` (chat: see `chat`). */
  readonly signal?: AbortSignal;
}
export interface StreamOptions extends RequestOptions {
  /** Receives generated text as it is produced (where `capabilities.streaming`). */
  readonly onChunk?: (text: string) => void;
}

export interface CompleteOptions extends StreamOptions {
  /**
   * Called with the text generated so far, where the backend streams: once it returns true the generation ends and
   * the result holds that text, with metrics (a multi-line suggestion whose block has ended). A backend that cannot
   * end it early ignores this; the caller may still abort.
   */
  readonly finishWhen?: (text: string) => boolean;
}

export interface InferenceBackend {
  readonly capabilities: BackendCapabilities;
  readonly state: BackendState;
  /** Log lines (metadata only). */
  readonly onLog: BackendEvent<LogEvent>;
  readonly onStateChange: BackendEvent<StateChangeEvent>;
  readonly onLoadProgress: BackendEvent<LoadProgress>;

  /** Makes `model` serve `role`. Rejects with an error carrying a `code` (e.g. `modelMissing`) on a bad model. */
  loadModel(role: ModelRole, model: ModelRef, options?: RequestOptions): Promise<LoadedModel>;
  /** Frees the model of `role`, or every model. */
  unloadModel(role?: ModelRole, options?: RequestOptions): Promise<void>;
  /** Fill-in-the-middle completion. A newer call may supersede an older one (code `superseded`). */
  complete(request: CompletionRequest, options?: CompleteOptions): Promise<CompletionResult>;
  /**
   * Evaluates the prompt of a completion expected soon at the lowest priority (a file opened, a far cursor jump); it
   * yields at once to any user request. Backends that cannot keep a prompt warm leave it out.
   */
  prewarm?(request: CompletionRequest, options?: RequestOptions): Promise<PrewarmOutcome>;
  /** Aborting `options.signal` *resolves* with the partial answer (`stopReason: "abort"`): Stop keeps what was written. */
  chat(request: ChatRequest, options?: StreamOptions): Promise<ChatResult>;
  /** Tokens of `text` for `role`'s model (an estimate unless `capabilities.exactTokenizer`). */
  countTokens(text: string, options?: RequestOptions & { readonly role?: ModelRole }): Promise<number>;
  /** Never starts anything: safe to poll. */
  status(options?: RequestOptions): Promise<BackendStatus>;
  /** Where `capabilities.speedProbe`: a short fixed prefill + decode on `role`'s model. */
  measureSpeed?(role: ModelRole, options?: RequestOptions): Promise<SpeedMeasurement>;
  /** Stops everything; later calls reject with code `disposed`. */
  dispose(): Promise<void>;
}

export interface CrashEvent {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The crash report or the last stderr lines. */
  readonly message: string;
  /** Crashes within the breaker window, this one included. */
  readonly crashesInWindow: number;
  /** Null when too many crashes stopped the restarts. */
  readonly restartInMs: number | null;
}
export interface BreakerTrippedEvent {
  readonly crashes: number;
  readonly windowMs: number;
  readonly lastMessage: string;
}

/** Facts and events only a backend that runs a local process has. */
export interface LocalProcessInfo {
  /** The process id while it runs. */
  readonly pid: number | undefined;
  /** The process died unexpectedly; in-flight requests were rejected with code `crashed`. */
  readonly onCrash: BackendEvent<CrashEvent>;
  /** Too many crashes: stopped until `restart()`. */
  readonly onBreakerTripped: BackendEvent<BreakerTrippedEvent>;
  /** Resident memory of the process in bytes (0 when not running). */
  residentBytes(options?: RequestOptions): Promise<number>;
  /** A fresh process, crash history forgotten, models reloaded. */
  restart(): Promise<void>;
}

export function hasLocalProcess(backend: InferenceBackend): backend is InferenceBackend & LocalProcessInfo {
  return backend.capabilities.location === "local" && "onCrash" in backend;
}

/** Whether an error from any backend means "cancelled" (aborted, or replaced by a newer request). */
export function isCancellation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "cancelled" || code === "superseded";
}

/** The `code` of a backend error, or the error's name, for metadata-only logs. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.name : "error";
}
