/**
 * The typed protocol between the extension host ("host") and the inference child ("child").
 *
 * Transport: vscode-jsonrpc over the child's Node IPC channel (`process.send`). This is the only file both sides
 * import for the wire format; every request and notification is declared here with its direction, params and result.
 *
 * Privacy: no notification carries prompt text except `engine/textChunk`, which streams the *generated* text of the
 * request that asked for it. Logs carry metadata only.
 */
import { NotificationType, RequestType, RequestType0 } from "vscode-jsonrpc";

/** Bumped whenever a breaking change is made to this file; the host refuses a child that reports another one. */
export const PROTOCOL_VERSION = 2;

// ---------------------------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------------------------

/**
 * Machine-readable error codes. The child sends them as `ResponseError.data.code` (with the JSON-RPC error code
 * {@link ENGINE_ERROR_RPC_CODE}); the client turns them into `EngineError` instances with the same `code`.
 */
export const EngineErrorCode = {
  /** The model file does not exist (or is not a regular file). */
  ModelMissing: "modelMissing",
  /** The model file is empty (0 bytes). */
  ModelEmpty: "modelEmpty",
  /** The file is shorter than its own header says: an interrupted download or copy. */
  ModelTruncated: "modelTruncated",
  /** The file does not start with the GGUF magic: not a GGUF file. */
  ModelBadMagic: "modelBadMagic",
  /** A GGUF version this llama.cpp cannot read (only 2 and 3 are supported). */
  ModelUnsupportedVersion: "modelUnsupportedVersion",
  /** The model's architecture is not supported by the bundled llama.cpp. */
  ModelUnsupportedArchitecture: "modelUnsupportedArchitecture",
  /** llama.cpp refused the file for another reason (see message). */
  ModelLoadFailed: "modelLoadFailed",
  /** The model and the smallest usable context do not fit in the free RAM/VRAM. */
  InsufficientMemory: "insufficientMemory",
  /** No model is loaded for the requested role. */
  NotLoaded: "notLoaded",
  /** A request came before `initialize`. */
  NotInitialized: "notInitialized",
  /** The request was cancelled by the host. */
  Cancelled: "cancelled",
  /** A newer completion request replaced this one before it finished. */
  Superseded: "superseded",
  /** The params are invalid (message says which). */
  InvalidParams: "invalidParams",
  /** Host side: the child process died while the request was in flight. */
  Crashed: "crashed",
  /** Host side: the child could not be started or did not finish its handshake in time. */
  StartFailed: "startFailed",
  /** Host side: the engine crashed too often; it stays stopped until `restart()`. */
  BreakerOpen: "breakerOpen",
  /** Host side: the client was disposed. */
  Disposed: "disposed",
  /** Anything else (message says what). */
  Internal: "internal",
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** The JSON-RPC error code every engine error uses; the discriminating code is in `data.code`. */
export const ENGINE_ERROR_RPC_CODE = -32050;

/** `ResponseError.data` of every engine error. */
export interface EngineErrorData {
  code: EngineErrorCode;
  /** Extra facts for the message shown to the user (file size, needed bytes, architecture...). */
  details?: Record<string, string | number | boolean | null>;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared value types
// ---------------------------------------------------------------------------------------------------------------

/** The compute device llama.cpp runs on. ("Backend" means local or remote inference, never this.) */
export type Device = "cpu" | "cuda" | "vulkan" | "metal";
/** The GPU setting: `"auto"` tries every available GPU backend and falls back to CPU; `false` forces CPU. */
export type GpuSetting = "auto" | false | Exclude<Device, "cpu">;
/** What a loaded model is used for. Each role owns its own sequence of the model's single context. */
export type ModelRole = "completion" | "chat";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error";

/**
 * Why generation stopped. `timeBudget`: the request's `timeBudgetMs` ran out (partial text returned);
 * `abort`: the host stopped it (partial text returned, chat only); `contextFull`: no room left in the context.
 */
export type StopReason =
  | "eogToken"
  | "stopString"
  | "maxTokens"
  | "abort"
  | "timeBudget"
  | "functionCalls"
  | "contextFull";

/** Measured for every `complete` and `chat` request. */
export interface RequestMetrics {
  /** Tokens in the prompt as evaluated (including special tokens such as BOS and FIM markers). */
  promptTokens: number;
  /** Prompt tokens whose KV cache was reused from the previous request on the same sequence. */
  reusedTokens: number;
  /** Prompt tokens that had to be evaluated (`promptTokens - reusedTokens`). */
  evaluatedTokens: number;
  /** Generated tokens (including a final end-of-generation token when one was sampled). */
  generatedTokens: number;
  /** Milliseconds from the child receiving the request to the first generated text (null if none). */
  timeToFirstTokenMs: number | null;
  /** Milliseconds from the child receiving the request to the result. */
  totalMs: number;
  /** Decode speed: generated tokens per second after the first token (null with fewer than 2 tokens). */
  tokensPerSecond: number | null;
  /** Why generation stopped. */
  stopReason: StopReason;
  /** Threads the context used. */
  threads: number;
  /**
   * Prompt tokens whose KV state came from a saved file state (a recently used file switched back to); counted in
   * `reusedTokens` too. Absent on chat.
   */
  restoredTokens?: number;
  /**
   * Speculative decoding on this request (absent when the model has it off): whether it drafted, and how many drafted
   * tokens the model confirmed and refuted. On chat only for an edit (`purpose: "edit"`) with `speculativeEdits` on.
   */
  speculative?: { drafting: boolean; accepted: number; rejected: number };
}

// ---------------------------------------------------------------------------------------------------------------
// initialize
// ---------------------------------------------------------------------------------------------------------------

export interface InitializeParams {
  /** Must equal {@link PROTOCOL_VERSION}. */
  protocolVersion: number;
  /**
   * Directory for the child's small caches (the measured thread choice per model and machine).
   * Created if missing. `null`: nothing is cached, threads are measured on every load.
   */
  cacheDir: string | null;
  /** GPU device type to use. Default `"auto"`; falls back to CPU when no GPU backend works (reported in the result). */
  gpu?: GpuSetting;
  /**
   * Thread count override for every model (the user setting). `undefined` or `0`: measured per model at load.
   */
  threads?: number;
  /** Unload a model after this many ms without a request; reloaded on next use. `0` disables. Default 15 min. */
  idleUnloadMs?: number;
  /** Lowest level of log notifications sent to the host. Default `"info"`. */
  logLevel?: LogLevel;
  /**
   * node-llama-cpp binary packages downloaded into global storage (GPU on demand). The child resolves these names
   * from `root` (a folder holding `node_modules/@node-llama-cpp/...`) instead of the extension's `node_modules`.
   * Default: none, only the bundled binaries.
   */
  binaryPackages?: BinaryPackagesSpec;
  /**
   * A node-llama-cpp addon built for this CPU (src/inference/tools/engineBuild.ts) to use instead of the prebuilt
   * binary. Default `null`: the prebuilt. When it does not load (another node-llama-cpp version or CPU, a broken
   * file) the prebuilt is used and `binary.localBuildFallbackReason` says why; a GPU setting naming a device also
   * keeps the prebuilt (the local build is CPU-only).
   */
  engineBinary?: string | null;
  /** Fail `initialize` instead of falling back when `engineBinary` does not load (the verification benchmark). Default false. */
  requireEngineBinary?: boolean;
}

export interface BinaryPackagesSpec {
  root: string;
  /** e.g. `["@node-llama-cpp/linux-x64-cuda", "@node-llama-cpp/linux-x64-cuda-ext"]` */
  names: string[];
}

/** The llama.cpp binary the child loaded. */
export interface BinaryInfo {
  /** `bundled`: a package shipped with the extension; `downloaded`: one from global storage; `localBuild`: built for this CPU ("Optimize the Engine for This CPU"). */
  source: "bundled" | "downloaded" | "localBuild";
  /** `name@version` of the package (null for a local build or where unknown). */
  package: string | null;
  /** The folder a downloaded package was loaded from, or the local build's addon file. */
  location: string | null;
  /** Set when a local build was asked for (`engineBinary`) and a prebuilt binary runs instead, with the reason. */
  localBuildFallbackReason: string | null;
}

export interface InitializeResult {
  protocolVersion: number;
  /**
   * Versions: node-llama-cpp; the release tag of its llama.cpp binaries (node-llama-cpp's own tag, not a llama.cpp
   * build number); the llama.cpp commit it was built from (null when its source bundle is not installed); Node.
   */
  versions: { nodeLlamaCpp: string; llamaCpp: string; llamaCppCommit: string | null; node: string };
  /** The device actually in use. */
  device: Device;
  /** Set when `gpu` asked for a GPU but CPU was used instead, with the reason. */
  gpuFallbackReason: string | null;
  /** The binary in use. */
  binary: BinaryInfo;
  /** GPU device names (empty on CPU). */
  gpuDevices: string[];
  /** Cores available for math (the upper bound of the thread search). */
  cpuCores: number;
  /** Thread override in effect (`null`: measured per model). */
  threadsOverride: number | null;
  /** The child's process id. */
  pid: number;
  platform: string;
  arch: string;
}

/** host→child. First request after `engine/ready`. Chooses the device. Result: {@link InitializeResult}. */
export const InitializeRequest = new RequestType<InitializeParams, InitializeResult, void>("engine/initialize");

// ---------------------------------------------------------------------------------------------------------------
// loadModel / unloadModel
// ---------------------------------------------------------------------------------------------------------------

export interface LoadModelParams {
  /** Absolute path of the GGUF file. */
  path: string;
  /**
   * The role this model serves. Loading the same file for the second role shares the model and its context
   * (each role keeps its own sequence). Loading another file for a role replaces the previous model for that role.
   */
  role: ModelRole;
  /** Context size in tokens (per sequence). Default: as large as fits, between 2,048 and 8,192, capped by the model. */
  contextSize?: number;
  /** Layers to offload to the GPU: a number, `"max"`, or `"auto"` (default: what fits). Ignored on CPU. */
  gpuLayers?: number | "max" | "auto";
  /** Flash attention. Default `"auto"` (used when the model and backend support it). */
  flashAttention?: boolean | "auto";
  /** Thread override for this model; wins over `initialize.threads`. Default: measured (or remembered). */
  threads?: number;
  /** Host-chosen id echoed in `engine/loadProgress` notifications. */
  loadId?: string;
  /**
   * Speculative decoding on the completion sequence: `promptLookup` drafts tokens from the prompt itself
   * (node-llama-cpp's `InputLookupTokenPredictor`; code repeats identifiers and lines), verified in one batch, so
   * greedy output is unchanged. `auto` drafts per request where it measures faster (engine/speculative.ts).
   * Default `off`.
   */
  speculative?: "off" | "promptLookup" | "auto";
  /**
   * The same for chat answers that rewrite the code in the question (`ChatParams.purpose: "edit"`), which repeat long
   * runs of it, so drafts are longer (engine/speculative.ts). Other chat answers never draft. Default `off`.
   */
  speculativeEdits?: "off" | "promptLookup" | "auto";
}

export interface LoadedModelInfo {
  path: string;
  /** File name without the directory, for display. */
  name: string;
  roles: ModelRole[];
  /** `loaded`, or `idleUnloaded` (freed after inactivity; reloaded transparently on next use). */
  state: "loaded" | "idleUnloaded" | "loading";
  architecture: string;
  /** Whether the model has FIM tokens; without them `complete` uses a prefix-only prompt. */
  fimSupported: boolean;
  /** Name of the chat wrapper resolved from the GGUF chat template (e.g. `ChatML`, `Jinja`). */
  chatWrapper: string;
  contextSize: number;
  trainContextSize: number | null;
  gpuLayers: number;
  threads: number;
  /** Where the thread count came from. */
  threadsSource: "setting" | "measured" | "cached";
  /** Bytes of the model file. */
  fileSize: number;
  /** Estimated RAM/VRAM use of the model plus its context, in bytes. */
  memory: { ram: number; vram: number };
  /**
   * Speculative decoding on its completion sequence (absent when off): `always` drafts (`promptLookup`); in `auto`
   * the gate's choice so far and the median decode tokens/s it measured each way (null before a sample).
   */
  speculative?: SpeculativeInfo;
  /** The same for edits on its chat sequence (`speculativeEdits`; absent when off). */
  speculativeEdits?: SpeculativeInfo;
}

export interface SpeculativeInfo {
  choice: "always" | "measuring" | "drafting" | "plain";
  draftingTokensPerSecond: number | null;
  plainTokensPerSecond: number | null;
}

export interface LoadModelResult {
  model: LoadedModelInfo;
  /** Milliseconds the load took (including the pre-checks and the thread measurement). */
  loadMs: number;
  /** Whether the file was already loaded (only the role was added). */
  alreadyLoaded: boolean;
}

/**
 * host→child. Checks the file (typed errors: missing, empty, truncated, bad magic, unsupported version or
 * architecture, insufficient memory), loads it, chooses threads, creates its context.
 * Progress: `engine/loadProgress`. Result: {@link LoadModelResult}.
 */
export const LoadModelRequest = new RequestType<LoadModelParams, LoadModelResult, void>("engine/loadModel");

export interface LoadProgressParams {
  loadId: string | null;
  path: string;
  phase: "checking" | "loading" | "tuningThreads" | "creatingContext" | "done";
  /** 0..1 over the whole load. */
  progress: number;
}
/** child→host. Sent while a model loads (also on a reload after idle unload). */
export const LoadProgressNotification = new NotificationType<LoadProgressParams>("engine/loadProgress");

export interface UnloadModelParams {
  /** Unload the model serving this role (the model stays loaded if it still serves the other role). */
  role?: ModelRole;
  /** Or unload this file entirely, whatever its roles. With neither: unload everything. */
  path?: string;
}
export interface UnloadModelResult {
  /** Paths of the models freed. */
  unloaded: string[];
}
/** host→child. Frees models. Result: {@link UnloadModelResult}. */
export const UnloadModelRequest = new RequestType<UnloadModelParams, UnloadModelResult, void>("engine/unloadModel");

// ---------------------------------------------------------------------------------------------------------------
// complete (FIM)
// ---------------------------------------------------------------------------------------------------------------

/** A piece of extra context (another file, a definition) placed before the prefix. */
export interface ContextChunk {
  /** Shown to the model as a `<path>` header line when set. */
  path?: string;
  text: string;
}

export interface CompleteParams {
  /** Host-chosen id; streamed text (when `stream`) is tagged with it. */
  requestId: string;
  /**
   * Text before the cursor. When `currentLinePrefix` is given, this is the text before the cursor's *line* (it
   * should end with a newline) and should start at a line boundary that does not move with every keystroke.
   */
  prefix: string;
  /**
   * The cursor line left of the cursor. When set, the prompt is
   * `PRE prefix SUF suffix MID currentLinePrefix` (llama.cpp `/infill` layout): typing on the line re-evaluates only
   * the typed tokens, not the suffix. When undefined, the whole prefix goes before `SUF` (the classic layout).
   */
  currentLinePrefix?: string;
  /** Text after the cursor. Keep it short (e.g. ≤ 64 tokens): pressing Enter re-evaluates all of it. */
  suffix: string;
  /** Extra context placed before the prefix (stable first, so the cache stays warm). */
  extraContext?: ContextChunk[];
  /** Maximum tokens to generate. Default 64. */
  maxTokens?: number;
  /** Stop strings (not included in the text). */
  stop?: string[];
  /** Stop at the first newline, excluded from the text (for mid-line completions). Default false. */
  stopAtLineEnd?: boolean;
  /** Stop after this many ms and return what was generated (`stopReason: "timeBudget"`). Default: none. */
  timeBudgetMs?: number;
  /** Sampling temperature; 0 = greedy (default). */
  temperature?: number;
  /** Seed of the sampler when `temperature` > 0, for repeatable alternatives. Default: random. */
  seed?: number;
  /**
   * `background` for a speculative prefetch: its tokens yield to a chat answer someone is waiting for, in the same
   * batch. Default `user` (ahead of chat).
   */
  priority?: "user" | "background";
  /** Stream generated text as `engine/textChunk` notifications. Default false. */
  stream?: boolean;
}

export interface CompleteResult {
  /** The generated middle text. */
  text: string;
  /** `fim`: infill tokens were used; `prefixOnly`: the model has none, the prompt was the prefix only. */
  mode: "fim" | "prefixOnly";
  metrics: RequestMetrics;
}
/**
 * host→child. Fill-in-the-middle completion on the completion model's sequence (ahead of chat, unless `priority` is
 * `background`).
 * A newer `complete` supersedes an older one still running (it fails with `superseded`).
 * Result: {@link CompleteResult}.
 */
export const CompleteRequest = new RequestType<CompleteParams, CompleteResult, void>("engine/complete");

// ---------------------------------------------------------------------------------------------------------------
// prewarm
// ---------------------------------------------------------------------------------------------------------------

/** The prompt of a `complete` that is expected soon (the same fields give the same tokens). */
export type PrewarmParams = Pick<CompleteParams, "prefix" | "currentLinePrefix" | "suffix" | "extraContext" | "maxTokens">;

export interface PrewarmResult {
  /** Tokens of the prompt a `complete` with these fields would send. */
  promptTokens: number;
  /** Tokens the sequence held already (its own state or a restored file state). */
  reusedTokens: number;
  /** Of those, tokens from a restored file state. */
  restoredTokens: number;
  /** Tokens evaluated by this prewarm. */
  evaluatedTokens: number;
  /** The whole prompt (but its last token, which the completion evaluates to sample) is in the sequence now. */
  completed: boolean;
  /** Why it stopped early: a user request (completion or chat) came, or the host cancelled. */
  yieldedTo: "completion" | "chat" | "cancelled" | null;
  /** Tokens evaluated after the yield was asked for: at most one chunk ({@link PrewarmResult.chunkTokens}). */
  tokensAfterYield: number;
  /** The largest evaluation step this prewarm took (the steps follow the measured speed): a user request waits at most one. */
  chunkTokens: number;
  totalMs: number;
}

/**
 * host→child. Evaluates the prompt of an expected `complete` at the lowest priority, in small chunks, start first
 * (the part that stays valid), so the first suggestion there needs only the cursor line. Stops at once (within one
 * chunk) when a `complete` or a `chat` request arrives or the host cancels; what was evaluated stays. Declines
 * (`yieldedTo` set, nothing evaluated) while another request runs. Result: {@link PrewarmResult}.
 */
export const PrewarmRequest = new RequestType<PrewarmParams, PrewarmResult, void>("engine/prewarm");

// ---------------------------------------------------------------------------------------------------------------
// chat
// ---------------------------------------------------------------------------------------------------------------

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  text: string;
}

export interface SamplingParams {
  /** Default 0.7. */
  temperature?: number;
  /** Default 0.9. */
  topP?: number;
  /** Default 40. */
  topK?: number;
  /** Default 0.05. */
  minP?: number;
  /** Default: random. */
  seed?: number;
  /** Default 1.1 (over the last 64 tokens); `1` disables. */
  repeatPenalty?: number;
}

export interface ChatParams {
  requestId: string;
  /**
   * The whole conversation (the host owns it), oldest first; the last one must be the `user` message to answer.
   * To regenerate, send the history without the answer being replaced.
   */
  messages: ChatMessage[];
  /** System prompt; wins over a leading `system` message. */
  systemPrompt?: string;
  sampling?: SamplingParams;
  /** Maximum tokens to generate. Default 2,048. */
  maxTokens?: number;
  /** Stop strings (not included in the text). */
  stop?: string[];
  /**
   * `edit`: the answer rewrites code given in the last message (Edit Selection, Fix, Write Doc Comment), so it repeats
   * much of it, and the engine drafts from it (`speculativeEdits`). Default `chat`.
   */
  purpose?: "chat" | "edit";
}

export interface ChatResult {
  /** The whole answer (also streamed as `engine/textChunk`). Partial when `metrics.stopReason` is `abort`. */
  text: string;
  /**
   * True when the history did not fit and the oldest messages were dropped or shortened for this answer
   * (context shift); the host may tell the user.
   */
  contextShifted: boolean;
  metrics: RequestMetrics;
}
/**
 * host→child. Answers the last user message of `messages` on the chat model's sequence. Text streams as
 * `engine/textChunk` tagged with `requestId`. Cancelling returns the partial answer with `stopReason: "abort"`.
 * Result: {@link ChatResult}.
 */
export const ChatRequest = new RequestType<ChatParams, ChatResult, void>("engine/chat");

export interface TextChunkParams {
  requestId: string;
  text: string;
}
/** child→host. A piece of generated text of request `requestId` (chat; complete with `stream: true`). */
export const TextChunkNotification = new NotificationType<TextChunkParams>("engine/textChunk");

export interface FinishCompletionParams {
  requestId: string;
}
/**
 * host→child. Ends the running completion `requestId` now, keeping what it generated: the host found the whole
 * suggestion in the streamed text (a multi-line answer whose block has ended). The result comes back as usual, with
 * its metrics and `stopReason: "stopString"`. Ignored when that request is not running.
 */
export const FinishCompletionNotification = new NotificationType<FinishCompletionParams>("engine/finishCompletion");

// ---------------------------------------------------------------------------------------------------------------
// tokenize / countTokens
// ---------------------------------------------------------------------------------------------------------------

export interface TokenizeParams {
  text: string;
  /** Whose tokenizer (default `completion`, or the other role when only one is loaded). */
  role?: ModelRole;
  /** Parse special-token text such as `<|im_start|>` as special tokens. Default false. */
  specialTokens?: boolean;
}
/** host→child. Result: the token ids. */
export const TokenizeRequest = new RequestType<TokenizeParams, { tokens: number[] }, void>("engine/tokenize");
/** host→child. Result: the number of tokens. */
export const CountTokensRequest = new RequestType<TokenizeParams, { count: number }, void>("engine/countTokens");

// ---------------------------------------------------------------------------------------------------------------
// status / shutdown
// ---------------------------------------------------------------------------------------------------------------

export interface EngineStatus {
  /** False when the host reports on a child that is not running (not started yet, or stopped by the breaker). */
  running: boolean;
  device: Device | null;
  models: LoadedModelInfo[];
  /** Which sequences are generating right now. */
  busy: { completion: boolean; chat: boolean };
  /** Requests being served right now. */
  activeRequests: number;
  memory: {
    /** Resident set size of the child process, bytes. */
    rss: number;
    /** What llama.cpp reports it uses, bytes. */
    llamaRam: number;
    llamaVram: number;
    /** Free system RAM, bytes. */
    freeRam: number;
  };
  uptimeMs: number;
  pid: number;
}
/** host→child. Result: {@link EngineStatus}. */
export const StatusRequest = new RequestType0<EngineStatus, void>("engine/status");

/** host→child. Frees every model and exits after replying. Result: nothing. */
export const ShutdownRequest = new RequestType0<void, void>("engine/shutdown");

// ---------------------------------------------------------------------------------------------------------------
// fit estimates (Select Model, Estimate Memory)
// ---------------------------------------------------------------------------------------------------------------

/** Memory to estimate against instead of this machine's (tests, and "what if" questions). Bytes. */
export interface FitMemory {
  ramFree: number;
  ramTotal: number;
  /** 0 when there is no GPU. */
  vramFree: number;
  vramTotal: number;
  /** Whether layers can be offloaded at all (a GPU backend is in use). */
  gpu: boolean;
}

export interface EstimateFitParams {
  /** Absolute paths of GGUF files; only their headers and tensor tables are read. */
  paths: string[];
  /** `engine.contextSize`: 0 = the engine's automatic choice (the largest up to 8192 that fits). Default 0. */
  contextSize?: number;
  /** `engine.gpuLayers`: a number fixes the layers, null/-1 = as many as fit. Default null. */
  gpuLayers?: number | null;
  /** Estimate against this memory instead of the engine's measurement. Default: measured once per request. */
  memory?: FitMemory | null;
  /** Time box per file for reading its header; a file that takes longer gets a {@link FitFailure}. Default 2000. */
  fileTimeoutMs?: number;
}

/** What node-llama-cpp's `GgufInsights` says a model needs on this machine. */
export interface FitEstimate {
  path: string;
  ok: true;
  architecture: string | null;
  /** llama.cpp in this build knows the architecture. */
  supported: boolean;
  totalLayers: number;
  /** Layers that fit on the GPU (0 without one). */
  gpuLayers: number;
  /** The context the engine would create (the setting, else the largest up to 8192 that fits, else its minimum). */
  contextSize: number;
  /** The largest context (up to the trained one) that fits in free memory; 0 when not even the minimum fits. */
  largestContextSize: number;
  trainContextSize: number | null;
  /** Weights (RAM / VRAM) and KV cache + buffers (RAM / VRAM) at `contextSize`. */
  modelRamBytes: number;
  modelVramBytes: number;
  contextRamBytes: number;
  contextVramBytes: number;
  /** Estimates tried (layer and context searches are capped). */
  attempts: number;
  /** Time spent on this entry in the child, header read included. */
  ms: number;
}

export interface FitFailure {
  path: string;
  ok: false;
  error: string;
  ms: number;
}

export interface EstimateFitResult {
  results: (FitEstimate | FitFailure)[];
  /** The memory the estimates were made against. */
  memory: FitMemory;
}
/**
 * host→child. Reads each file's header with node-llama-cpp and estimates RAM, VRAM, GPU layers and the largest
 * context with `GgufInsights` (never loads weights; a bounded number of estimates per file). A file that cannot be
 * read gets a {@link FitFailure}, the others still answer. Result: {@link EstimateFitResult}.
 */
export const EstimateFitRequest = new RequestType<EstimateFitParams, EstimateFitResult, void>("engine/estimateFit");

// ---------------------------------------------------------------------------------------------------------------
// Benchmark only
// ---------------------------------------------------------------------------------------------------------------

export interface BenchDecodeParams {
  role?: ModelRole;
  /** Prompt tokens to evaluate first (fresh sequence state). */
  promptTokens: number;
  /** Tokens to generate, never stopping early (end-of-generation tokens are fed back like any other). */
  generateTokens: number;
}
export interface BenchDecodeResult {
  prefillMs: number;
  decodeMs: number;
  threads: number;
}
/**
 * host→child. **Benchmark only** (`npm run bench:engine`): evaluates `promptTokens` synthetic tokens and then
 * generates exactly `generateTokens` tokens by driving the sequence directly, like the raw baseline does.
 * Uses (and clears) the role's sequence. Result: {@link BenchDecodeResult}.
 */
export const BenchDecodeRequest = new RequestType<BenchDecodeParams, BenchDecodeResult, void>("engine/benchDecode");

// ---------------------------------------------------------------------------------------------------------------
// child→host notifications
// ---------------------------------------------------------------------------------------------------------------

/** child→host. The child is listening; the host may send `initialize`. Params: pid. */
export const ReadyNotification = new NotificationType<{ pid: number }>("engine/ready");

export interface LogParams {
  level: LogLevel;
  /** Metadata only: never prompt or generated text. */
  message: string;
}
/** child→host. A log line (the child's own and llama.cpp's). */
export const LogNotification = new NotificationType<LogParams>("engine/log");

export interface ModelStateParams {
  path: string;
  state: "idleUnloaded" | "reloaded";
}
/** child→host. A model was freed after inactivity, or reloaded on demand. */
export const ModelStateNotification = new NotificationType<ModelStateParams>("engine/modelState");

export interface CrashParams {
  message: string;
  stack: string | null;
}
/** child→host. An uncaught JS error in the child; it exits right after sending this. */
export const CrashNotification = new NotificationType<CrashParams>("engine/crash");
