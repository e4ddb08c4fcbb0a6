/**
 * Options and events of `LocalEngineClient` (./client.ts), with their defaults in one place.
 */
import type { BinaryPackagesSpec, ChatParams, CompleteParams, GpuSetting, LogLevel, ModelRole } from "./protocol.ts";

export interface LocalEngineClientOptions {
  /** Absolute path of the bundled child, e.g. `context.asAbsolutePath("dist/inference/child.mjs")`. Required. */
  childPath: string;
  /** Directory for the child's caches (measured thread choice). Default `null`: nothing cached. */
  cacheDir?: string | null;
  /** GPU backend. Default `"auto"` (falls back to CPU when no GPU backend works). */
  gpu?: GpuSetting;
  /**
   * The downloaded binary packages (GPU on demand) to resolve in the child, asked at every start (an install takes
   * effect at the next start). Default: none. A child that dies while starting with a GPU is started again on the
   * CPU with the bundled binary, and `engineInfo.gpuFallbackReason` says so.
   */
  binaryPackages?: () => Promise<BinaryPackagesSpec | undefined>;
  /** Thread count override (the user setting). Default `undefined`: measured per model at load and remembered. */
  threads?: number;
  /** Free a model after this many ms without requests; it reloads on next use. `0` disables. Default 900,000 (15 min). */
  idleUnloadMs?: number;
  /** Lowest level of the child's log lines forwarded to `onLog`. Default `"info"`. */
  logLevel?: LogLevel;
  /** Executable that runs the child. Default `process.execPath` (Electron in desktop VS Code, Node in code-server). */
  execPath?: string;
  /** Environment of the child. Default `process.env`. `ELECTRON_RUN_AS_NODE=1` is always added. */
  env?: NodeJS.ProcessEnv;
  /** Time for the child to start and answer `initialize`. Default 30,000 ms. */
  handshakeTimeoutMs?: number;
  /** Time for a graceful `shutdown` before SIGKILL. Default 3,000 ms. */
  shutdownTimeoutMs?: number;
  /**
   * After a chat is aborted, how long to wait for the child's partial answer before resolving with the text
   * streamed so far. Default 1,000 ms.
   */
  cancelGraceMs?: number;
  /**
   * A node-llama-cpp addon built for this CPU to run instead of the prebuilt binary (see `InitializeParams`). When a
   * child started with it dies during start-up, later starts use the prebuilt. Default `null`.
   */
  engineBinary?: string | null;
  /** Fail the start instead of falling back to the prebuilt when `engineBinary` does not load. Default false. */
  requireEngineBinary?: boolean;
  /** Restart delay after a crash: `initialMs * 2^(crashesInWindow-1)`, at most `maxMs`. Default 500 / 15,000 ms. */
  restartBackoff?: { initialMs?: number; maxMs?: number };
  /** Stop restarting after `maxCrashes` crashes within `windowMs`. Default 5 within 180,000 ms (3 minutes). */
  crashBreaker?: { maxCrashes?: number; windowMs?: number };
}

export type { BackendState, BreakerTrippedEvent, CrashEvent, LogEvent, CompleteOptions, RequestOptions, StateChangeEvent, StreamOptions } from "../core/backend/types.ts";

/** A completion request as the client sends it (the client adds the request id and the stream flag). */
export type CompletionRequest = Omit<CompleteParams, "requestId" | "stream">;
/** A chat request as the client sends it (the client adds the request id). */
export type ChatRequestParams = Omit<ChatParams, "requestId">;

export interface TokenizeOptions {
  /** Aborting cancels the request. */
  signal?: AbortSignal;
  /** Whose tokenizer; default the completion model (or the chat model when only it is loaded). */
  role?: ModelRole;
  /** Parse special-token text (e.g. `<|im_start|>`) into special tokens. Default false. */
  specialTokens?: boolean;
}

export type ResolvedClientOptions = Required<Omit<LocalEngineClientOptions, "threads" | "restartBackoff" | "crashBreaker">> & {
  threads: number | undefined;
  restartBackoff: { initialMs: number; maxMs: number };
  crashBreaker: { maxCrashes: number; windowMs: number };
};

/** Fills in the documented defaults. */
export function resolveOptions(options: LocalEngineClientOptions): ResolvedClientOptions {
  if (!options.childPath) throw new Error("LocalEngineClient: childPath is required");
  return {
    childPath: options.childPath,
    cacheDir: options.cacheDir ?? null,
    gpu: options.gpu ?? "auto",
    binaryPackages: options.binaryPackages ?? (() => Promise.resolve(undefined)),
    threads: options.threads,
    idleUnloadMs: options.idleUnloadMs ?? 15 * 60_000,
    logLevel: options.logLevel ?? "info",
    execPath: options.execPath ?? process.execPath,
    env: options.env ?? process.env,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 3_000,
    cancelGraceMs: options.cancelGraceMs ?? 1_000,
    engineBinary: options.engineBinary ?? null,
    requireEngineBinary: options.requireEngineBinary ?? false,
    restartBackoff: { initialMs: options.restartBackoff?.initialMs ?? 500, maxMs: options.restartBackoff?.maxMs ?? 15_000 },
    crashBreaker: { maxCrashes: options.crashBreaker?.maxCrashes ?? 5, windowMs: options.crashBreaker?.windowMs ?? 180_000 },
  };
}
