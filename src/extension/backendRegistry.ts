import * as vscode from "vscode";
import {
  errorCode,
  hasLocalProcess,
  MODEL_ROLES,
  sameModel,
  type BackendFacts,
  type BackendStatus,
  type BreakerTrippedEvent,
  type CrashEvent,
  type InferenceBackend,
  type LoadedModel,
  type LogEvent,
  type ModelRef,
  type ModelRole,
} from "../core/backend/index.ts";
import { LocalBackend } from "../inference/localBackend.ts";
import type { EstimateFitParams, EstimateFitResult, GpuSetting } from "../inference/protocol.ts";
import { untilAborted } from "../core/abort.ts";
import { COMMANDS } from "../core/commandIds.ts";
import type { GpuDeviceSetting, SettingKey } from "../core/settings.ts";
import { bundledNodeLlamaCppVersion, installedBinaryPackagesSpec } from "./gpu/gpuPackages.ts";
import { configuredModel } from "./models/modelLabels.ts";
import type { Ctx } from "./ctx.ts";
import type { ModelStatus } from "./modelStatus.ts";
import { describeCrash, describeError, describeModelFacts } from "./userMessages.ts";
import { RemoteHost } from "./remote/remoteHost.ts";
import { localEngineBinary } from "./optimizeEngine.ts";

/** Raised when a feature needs a model for a role and none is configured: the UI offers Select Model. */
export class NoModelConfiguredError extends Error {
  constructor(readonly role: ModelRole) {
    super(
      role === "completion"
        ? vscode.l10n.t('No completion model is selected. Run "Private Coder: Select Model…".')
        : vscode.l10n.t('No chat model is selected. Run "Private Coder: Select Model…".'),
    );
    this.name = "NoModelConfiguredError";
  }
}

/** Settings the local engine process is started with: a change starts a fresh process. */
const RESTART_KEYS: readonly SettingKey[] = ["engine.gpu", "engine.threads", "engine.idleUnloadMinutes"];
/** Settings a model is loaded with: a change reloads the models on next use. */
const RELOAD_KEYS: readonly SettingKey[] = ["engine.contextSize", "engine.gpuLayers", "engine.flashAttention", "completion.speculativeDecoding", "chat.speculativeDecoding", "chat.modelPath", "completion.modelPath", "completion.backend", "chat.backend", "remote.completionModel", "remote.chatModel"];

/** Settings of the remote backend: roles served remotely load again on next use. */
const REMOTE_KEYS: readonly SettingKey[] = ["remote.caFile", "remote.connectTimeoutMs", "remote.firstTokenTimeoutMs", "remote.endpoints", "remote.fimTemplate"];

/** What serves a role: the model and the backend running it. */
export interface RoleEntry {
  readonly model: ModelRef;
  readonly backend: InferenceBackend;
}

/**
 * Which model serves each role (completion, chat) and which backend runs it. Features ask `backendFor(role)` and
 * never see how the model runs. Today every `ModelRef` on this machine is served by one local backend (llama.cpp in
 * a child process, shared by both roles so one file loads once); a remote backend is another entry of
 * `createBackend`. The registry loads each role's model on first use, forwards backend logs to the output channel
 * and keeps the UI's engine state current.
 */
export class BackendRegistry {
  private local: LocalBackend | undefined;
  private localSubscriptions: { dispose(): void }[] = [];
  private readonly loads = new Map<ModelRole, { model: ModelRef; promise: Promise<LoadedModel> }>();
  private readonly configSubscription: vscode.Disposable;
  private disposed = false;
  /** The last crash, in the user's words (the crash breaker's message repeats it). */
  private lastCrash: string | undefined;
  /** Remote servers: the roles set to `remote` run there (see `location`). */
  readonly remote: RemoteHost;

  constructor(
    private readonly ctx: Ctx,
    private readonly modelStatus: ModelStatus,
  ) {
    this.remote = new RemoteHost(ctx, (event) => this.log(event));
    this.configSubscription = ctx.config.onDidChange((keys) => {
      if (REMOTE_KEYS.some((k) => keys.has(k))) this.forgetRemoteLoads();
      if (RESTART_KEYS.some((k) => keys.has(k))) void this.recreateLocal("settings changed");
      else if (RELOAD_KEYS.some((k) => keys.has(k))) void this.unloadAll("settings changed");
    });
  }

  /** The model configured for `role` (the path settings name a file, or the role runs on a remote server), if any. */
  modelFor(role: ModelRole): ModelRef | undefined {
    if (this.remote.location(role) === "remote") return this.remote.modelFor(role);
    const filePath = role === "completion" ? this.ctx.config.completionModelPath : this.ctx.config.chatModelPath;
    return configuredModel(this.ctx.extensionContext.globalState, filePath);
  }

  /** The model and backend serving `role`, without loading anything; undefined when no model is configured. */
  entry(role: ModelRole): RoleEntry | undefined {
    const model = this.modelFor(role);
    return model ? { model, backend: this.createBackend(model) } : undefined;
  }

  /** Where `role` runs: `local` (this machine) or `remote` (a server); `remote.onDidChangeLocation` tells changes. */
  location(role: ModelRole): "local" | "remote" {
    return this.remote.location(role);
  }

  /** The process id of the local engine, if it runs (diagnostics and tests). */
  get childPid(): number | undefined {
    return this.local?.pid;
  }

  /** The backend with `role`'s model loaded (loading it, with progress in the UI, when needed). */
  async backendFor(role: ModelRole, signal?: AbortSignal): Promise<InferenceBackend> {
    await this.ensureModel(role, signal);
    const entry = this.entry(role);
    if (!entry) throw new NoModelConfiguredError(role);
    return entry.backend;
  }

  async ensureModel(role: ModelRole, signal?: AbortSignal): Promise<LoadedModel> {
    const entry = this.entry(role);
    if (!entry) throw new NoModelConfiguredError(role);
    const existing = this.loads.get(role);
    if (existing && sameModel(existing.model, entry.model)) return untilAborted(existing.promise, signal);
    // The load is shared by every caller that needs the model meanwhile, so no one caller's signal may cancel it (a
    // cancelled prefetch used to abort the load the completion loader waited on, and completion stayed off): a
    // caller's signal ends only its own wait.
    const promise = this.load(role, entry);
    this.loads.set(role, { model: entry.model, promise });
    promise.catch(() => {
      if (this.loads.get(role)?.promise === promise) this.loads.delete(role);
    });
    return untilAborted(promise, signal);
  }

  /** node-llama-cpp's fit estimates for model files, from the local engine (started if needed; nothing is loaded). */
  estimateFit(params: EstimateFitParams, signal?: AbortSignal): Promise<EstimateFitResult> {
    return this.localBackend().estimateFit(params, signal ? { signal } : {});
  }

  /** Status of every backend that serves a role (for "Show Engine Status"), loading the configured models first. */
  async loadedStatus(signal?: AbortSignal): Promise<readonly BackendStatus[]> {
    const backends = new Set<InferenceBackend>();
    for (const role of MODEL_ROLES) {
      if (this.modelFor(role)) backends.add(await this.backendFor(role, signal));
    }
    if (backends.size === 0) backends.add(this.localBackend());
    const statuses: BackendStatus[] = [];
    for (const backend of backends) statuses.push(await backend.status({ signal }));
    return statuses;
  }

  private async load(role: ModelRole, entry: RoleEntry): Promise<LoadedModel> {
    const modelName = entry.model.label;
    // A local model whose process is not up yet: the UI says "starting" until the child answers.
    const starting = entry.backend === this.local && this.local.state !== "ready";
    this.modelStatus.set({ kind: "loading", modelName, progress: 0, ...(starting ? { starting } : {}) });
    const started = Date.now();
    try {
      const info = await entry.backend.loadModel(role, entry.model);
      this.ctx.log.info(`Loaded ${info.name} for ${role} in ${Date.now() - started} ms: ${info.details.join("; ")}, chat format ${info.chatFormat}`);
      // The name the user knows (an Ollama model's, not its blob's hash); for a plain file its file name, as the engine's.
      this.modelStatus.set({ kind: "ready", modelName, details: describeModelFacts(info, vscode.l10n).join("\n") });
      return info;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`Loading ${modelName} for ${role} failed (${errorCode(error)}): ${message}`);
      this.modelStatus.set({ kind: "error", message: describeError(error, vscode.l10n) });
      throw error;
    }
  }

  /** "Restart Engine": a fresh process, the crash breaker reset, models reloaded on next use. */
  async restart(): Promise<void> {
    if (!this.local) {
      this.ctx.log.info("Restart requested; the engine was not running.");
      this.modelStatus.reset();
      return;
    }
    await this.recreateLocal("restart requested");
  }

  /** The local engine's facts (device, GPU fallback, binary) when it has started, else `undefined`; starts nothing. */
  async localEngineFacts(): Promise<BackendFacts | undefined> {
    if (!this.local || this.local.state !== "ready") return undefined;
    return (await this.local.status({})).facts;
  }

  /** The backend that runs `model`: a remote server's, or the local engine for every model file on this machine. */
  private createBackend(model: ModelRef): InferenceBackend {
    if (model.source === "remote") return this.remote.backend();
    return this.localBackend();
  }

  private localBackend(): LocalBackend {
    if (this.disposed) throw new Error(vscode.l10n.t("The Private Coder engine was shut down."));
    this.local ??= this.createLocal();
    return this.local;
  }

  private async recreateLocal(reason: string): Promise<void> {
    const old = this.local;
    this.local = undefined;
    this.loads.clear();
    this.disposeLocalSubscriptions();
    if (old) {
      this.ctx.log.info(`Stopping the engine (${reason}).`);
      await old.dispose();
    }
    this.modelStatus.reset();
  }

  private forgetRemoteLoads(): void {
    for (const [role, load] of [...this.loads]) if (load.model.source === "remote") this.loads.delete(role);
  }

  private async unloadAll(reason: string): Promise<void> {
    this.loads.clear();
    this.modelStatus.reset();
    if (!this.local || this.local.state !== "ready") return;
    this.ctx.log.info(`Unloading models (${reason}); they reload on next use.`);
    try {
      await this.local.unloadModel();
    } catch (error) {
      this.ctx.log.warn(`Unloading models failed: ${errorCode(error)}`);
    }
  }

  private createLocal(): LocalBackend {
    const config = this.ctx.config;
    const threads = config.get("engine.threads");
    const backend = new LocalBackend({
      childPath: this.ctx.extensionContext.asAbsolutePath("dist/inference/child.mjs"),
      cacheDir: this.ctx.extensionContext.globalStorageUri.fsPath,
      gpu: gpuOption(config.get("engine.gpu")),
      // GPU packages fetched by Enable GPU Acceleration, looked up at every engine start.
      binaryPackages: async () => {
        const extensionPath = this.ctx.extensionContext.extensionUri.fsPath;
        return installedBinaryPackagesSpec(this.ctx.extensionContext.globalStorageUri.fsPath, await bundledNodeLlamaCppVersion(extensionPath));
      },
      threads: threads > 0 ? threads : undefined,
      idleUnloadMs: config.get("engine.idleUnloadMinutes") * 60_000,
      logLevel: "debug",
      engineBinary: localEngineBinary(this.ctx),
      loadSettings: () => {
        const contextSize = config.get("engine.contextSize");
        const gpuLayers = config.get("engine.gpuLayers");
        return {
          flashAttention: flashAttentionOption(config.get("engine.flashAttention")),
          speculative: config.get("completion.speculativeDecoding"),
          speculativeEdits: config.get("chat.speculativeDecoding"),
          ...(contextSize > 0 ? { contextSize } : {}),
          gpuLayers: gpuLayers < 0 ? "auto" : gpuLayers,
        };
      },
    });
    this.localSubscriptions = [
      backend.onLog((event) => this.log(event)),
      backend.onLoadProgress((progress) => {
        const current = this.modelStatus.state;
        if (current.kind === "loading") this.modelStatus.set({ kind: "loading", modelName: current.modelName, progress: progress.progress });
      }),
      backend.onStateChange(({ state }) => {
        const current = this.modelStatus.state;
        if (state === "ready" && current.kind === "crashed") this.modelStatus.reset();
        if (state === "ready" && current.kind === "loading" && current.starting) this.modelStatus.set({ kind: "loading", modelName: current.modelName, progress: current.progress });
      }),
    ];
    if (hasLocalProcess(backend)) {
      this.localSubscriptions.push(
        backend.onCrash((event) => this.onCrash(event)),
        backend.onBreakerTripped((event) => this.onBreakerTripped(event)),
      );
    }
    return backend;
  }

  private log(event: LogEvent): void {
    const line = event.source === "engine" ? `[engine] ${event.message}` : `[engine ${event.source}] ${event.message}`;
    switch (event.level) {
      case "error":
        this.ctx.log.error(line);
        break;
      case "warn":
        this.ctx.log.warn(line);
        break;
      case "info":
        this.ctx.log.info(line);
        break;
      default:
        this.ctx.log.debug(line);
    }
  }

  private onCrash(event: CrashEvent): void {
    // Loaded models come back with the restarted process; forget our promises so the next use re-checks.
    this.loads.clear();
    const restart = event.restartInMs === null ? "not restarting" : `restarting in ${event.restartInMs} ms`;
    this.ctx.log.error(`The engine crashed (exit ${String(event.exitCode)}, signal ${String(event.signal)}; ${event.crashesInWindow} recent crash(es); ${restart}): ${event.message}`);
    this.lastCrash = describeCrash(event.exitCode, event.signal, vscode.l10n);
    this.modelStatus.set({ kind: "crashed", message: this.lastCrash });
  }

  private onBreakerTripped(event: BreakerTrippedEvent): void {
    const message = vscode.l10n.t(
      "The Private Coder engine crashed {0} times in {1} minutes and was stopped. Last error: {2}",
      event.crashes,
      Math.round(event.windowMs / 60_000),
      this.lastCrash ?? firstLine(event.lastMessage),
    );
    this.modelStatus.set({ kind: "crashed", message });
    const openLogs = vscode.l10n.t("Open Logs");
    const restart = vscode.l10n.t("Restart");
    void vscode.window.showErrorMessage(message, openLogs, restart).then((choice) => {
      if (choice === openLogs) void vscode.commands.executeCommand(COMMANDS.showLogs);
      if (choice === restart) void vscode.commands.executeCommand(COMMANDS.restartEngine);
    });
  }

  private disposeLocalSubscriptions(): void {
    for (const subscription of this.localSubscriptions.splice(0)) subscription.dispose();
  }

  /** Shuts every backend down (the local process gracefully, then killed); awaited by `deactivate()`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.configSubscription.dispose();
    this.disposeLocalSubscriptions();
    const local = this.local;
    this.local = undefined;
    await Promise.all([local?.dispose(), this.remote.dispose()]);
  }
}

function gpuOption(setting: GpuDeviceSetting): GpuSetting {
  return setting === "cpu" ? false : setting;
}

/** `engine.flashAttention` for the engine: `auto` lets llama.cpp decide per device. */
function flashAttentionOption(setting: "auto" | "on" | "off"): boolean | "auto" {
  return setting === "auto" ? "auto" : setting === "on";
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim().length > 0) ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
