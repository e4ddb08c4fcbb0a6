/**
 * What the extension needs from an inference backend. `LocalEngineClient` (llama.cpp in a child process) implements
 * it; a remote OpenAI-compatible backend can implement it later without the callers changing.
 * No `vscode` import: events use the `EngineEvent` shape of ./emitter.ts (compatible with `vscode.Event`).
 */
import type { EngineEvent } from "./emitter.ts";
import type {
  ChatParams,
  ChatResult,
  CompleteParams,
  CompleteResult,
  EngineStatus,
  LoadModelParams,
  LoadModelResult,
  LoadProgressParams,
  LogLevel,
  ModelRole,
  UnloadModelParams,
  UnloadModelResult,
} from "./protocol.ts";

export type {
  ChatMessage,
  ChatResult,
  CompleteResult,
  ContextChunk,
  EngineStatus,
  LoadedModelInfo,
  LoadModelParams,
  LoadModelResult,
  LoadProgressParams,
  LogLevel,
  ModelRole,
  RequestMetrics,
  SamplingParams,
  StopReason,
  UnloadModelParams,
  UnloadModelResult,
} from "./protocol.ts";
export { EngineErrorCode } from "./protocol.ts";
export { EngineError, EngineCancelledError, EngineCrashedError, isEngineError } from "./errors.ts";

/** Options every request accepts. */
export interface RequestOptions {
  /** Aborting cancels the request (the promise rejects with `EngineCancelledError`, except `chat`: see there). */
  signal?: AbortSignal;
}

export interface StreamOptions extends RequestOptions {
  /** Receives generated text as it is produced. */
  onChunk?: (text: string) => void;
}

/** A completion request (the client adds the request id). */
export type CompletionRequest = Omit<CompleteParams, "requestId" | "stream">;
/** A chat request (the client adds the request id). */
export type ChatRequestParams = Omit<ChatParams, "requestId">;

export interface TokenizeOptions extends RequestOptions {
  /** Whose tokenizer; default the completion model (or the chat model when only it is loaded). */
  role?: ModelRole;
  /** Parse special-token text (e.g. `<|im_start|>`) into special tokens. Default false. */
  specialTokens?: boolean;
}

/**
 * `idle`: not started (starts on first use); `starting`; `ready`; `restarting` (after a crash, with backoff);
 * `failed` (crashed too often: stays stopped until `restart()`); `disposed`.
 */
export type BackendState = "idle" | "starting" | "ready" | "restarting" | "failed" | "disposed";

export interface LogEvent {
  level: LogLevel;
  message: string;
  /** `engine`: the child's logger; `stderr`/`stdout`: raw child output (llama.cpp prints, native aborts); `client`. */
  source: "engine" | "stderr" | "stdout" | "client";
}

export interface StateChangeEvent {
  state: BackendState;
  previous: BackendState;
}

export interface InferenceBackend {
  /** Log lines for the "Private Coder" LogOutputChannel (metadata only, never prompt text). */
  readonly onLog: EngineEvent<LogEvent>;
  readonly onStateChange: EngineEvent<StateChangeEvent>;
  readonly onLoadProgress: EngineEvent<LoadProgressParams>;
  readonly state: BackendState;

  /** Loads a model for a role (see `LoadModelParams`). Rejects with `EngineError` (typed `code`) on a bad file. */
  loadModel(params: LoadModelParams, options?: RequestOptions): Promise<LoadModelResult>;
  /** Frees models (by role, by path, or all). */
  unloadModel(params?: UnloadModelParams, options?: RequestOptions): Promise<UnloadModelResult>;
  /** Fill-in-the-middle completion. A newer call supersedes an older one (`EngineCancelledError`, code `superseded`). */
  complete(request: CompletionRequest, options?: StreamOptions): Promise<CompleteResult>;
  /**
   * Chat answer, streamed through `options.onChunk`. Aborting `options.signal` *resolves* with the partial answer
   * (`metrics.stopReason === "abort"`): the user pressed Stop and keeps what was written.
   */
  chat(request: ChatRequestParams, options?: StreamOptions): Promise<ChatResult>;
  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>;
  countTokens(text: string, options?: TokenizeOptions): Promise<number>;
  status(options?: RequestOptions): Promise<EngineStatus>;
  /** Stops everything; every later call rejects with code `disposed`. */
  dispose(): Promise<void>;
}
