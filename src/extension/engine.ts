import * as vscode from "vscode";
import path from "node:path";
import { LocalEngineClient, type BreakerTrippedEvent, type CrashEvent } from "../inference/client";
import type { InferenceBackend, LoadedModelInfo, LoadModelParams, LogEvent, ModelRole } from "../inference/backend";
import type { GpuSetting } from "../inference/protocol";
import { COMMANDS } from "../core/commandIds";
import type { GpuBackendSetting, SettingKey } from "../core/settings";
import type { Ctx } from "./ctx";
import type { EngineStateModel } from "./engineState";

/** Raised when a feature needs a model for a role and none is configured: the UI offers Select Model. */
export class NoModelConfiguredError extends Error {
  constructor(readonly role: ModelRole) {
    super(`No ${role} model is selected. Run "Private Coder: Select Model…".`);
    this.name = "NoModelConfiguredError";
  }
}

const RESTART_KEYS: readonly SettingKey[] = ["engine.gpu", "engine.threads", "engine.idleUnloadMinutes"];
const RELOAD_KEYS: readonly SettingKey[] = ["engine.contextSize", "engine.gpuLayers", "engine.flashAttention", "chat.modelPath", "completion.modelPath"];

/**
 * The host's side of the inference engine: owns the backend (today the local llama.cpp child), maps settings to
 * its options, loads each role's model on first use, forwards its logs to the output channel, and keeps the UI's
 * engine state current. Features call `backendFor(role)` and never see how the model runs, so a remote backend can
 * later sit beside the local child.
 */
export class EngineService {
  private client: LocalEngineClient | undefined;
  private clientSubscriptions: { dispose(): void }[] = [];
  private readonly loads = new Map<ModelRole, { path: string; promise: Promise<LoadedModelInfo> }>();
  private readonly configSubscription: vscode.Disposable;
  private disposed = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly engineState: EngineStateModel,
  ) {
    this.configSubscription = ctx.config.onDidChange((keys) => {
      if (RESTART_KEYS.some((k) => keys.has(k))) void this.recreateClient("settings changed");
      else if (RELOAD_KEYS.some((k) => keys.has(k))) void this.unloadAll("settings changed");
    });
  }

  /** The process id of the running child, if any (diagnostics and tests). */
  get childPid(): number | undefined {
    return this.client?.pid;
  }

  /** The backend, created on first use; the child process itself starts on the first request. */
  get backend(): LocalEngineClient {
    if (this.disposed) throw new Error("The Private Coder engine was shut down.");
    this.client ??= this.createClient();
    return this.client;
  }

  /** The backend with `role`'s model loaded (loading it, with progress in the UI, when needed). */
  async backendFor(role: ModelRole, signal?: AbortSignal): Promise<InferenceBackend> {
    await this.ensureModel(role, signal);
    return this.backend;
  }

  async ensureModel(role: ModelRole, signal?: AbortSignal): Promise<LoadedModelInfo> {
    const modelPath = role === "completion" ? this.ctx.config.completionModelPath : this.ctx.config.chatModelPath;
    if (!modelPath) throw new NoModelConfiguredError(role);
    const existing = this.loads.get(role);
    if (existing && existing.path === modelPath) return existing.promise;
    const promise = this.load(role, modelPath, signal);
    this.loads.set(role, { path: modelPath, promise });
    promise.catch(() => {
      if (this.loads.get(role)?.promise === promise) this.loads.delete(role);
    });
    return promise;
  }

  private async load(role: ModelRole, modelPath: string, signal?: AbortSignal): Promise<LoadedModelInfo> {
    const modelName = path.basename(modelPath);
    const config = this.ctx.config;
    const contextSize = config.get("engine.contextSize");
    const gpuLayers = config.get("engine.gpuLayers");
    const params: LoadModelParams = {
      path: modelPath,
      role,
      loadId: `${role}:${modelName}`,
      flashAttention: config.get("engine.flashAttention"),
      ...(contextSize > 0 ? { contextSize } : {}),
      gpuLayers: gpuLayers < 0 ? "auto" : gpuLayers,
    };
    this.engineState.set({ kind: "loading", modelName, progress: 0 });
    const started = Date.now();
    try {
      const result = await this.backend.loadModel(params, { signal });
      const info = result.model;
      this.ctx.log.info(
        `Loaded ${info.name} for ${role} in ${Date.now() - started} ms: ${info.architecture}, context ${info.contextSize}, ` +
          `${info.threads} threads (${info.threadsSource}), ${info.gpuLayers} GPU layers, FIM ${info.fimSupported ? "yes" : "no"}, chat format ${info.chatWrapper}`,
      );
      this.engineState.set({ kind: "ready", modelName: info.name, details: describeModel(info, this.client?.engineInfo?.backend) });
      return info;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`Loading ${modelName} for ${role} failed: ${message}`);
      this.engineState.set({ kind: "error", message: `${modelName}: ${message}` });
      throw error;
    }
  }

  /** "Restart Engine": a fresh child, the crash breaker reset, models reloaded on next use. */
  async restart(): Promise<void> {
    if (!this.client) {
      this.ctx.log.info("Restart requested; the engine was not running.");
      this.engineState.reset();
      return;
    }
    await this.recreateClient("restart requested");
  }

  private async recreateClient(reason: string): Promise<void> {
    const old = this.client;
    this.client = undefined;
    this.loads.clear();
    this.disposeClientSubscriptions();
    if (old) {
      this.ctx.log.info(`Stopping the engine (${reason}).`);
      await old.dispose();
    }
    this.engineState.reset();
  }

  private async unloadAll(reason: string): Promise<void> {
    this.loads.clear();
    this.engineState.reset();
    if (!this.client || this.client.state !== "ready") return;
    this.ctx.log.info(`Unloading models (${reason}); they reload on next use.`);
    try {
      await this.client.unloadModel();
    } catch (error) {
      this.ctx.log.warn(`Unloading models failed: ${String(error)}`);
    }
  }

  private createClient(): LocalEngineClient {
    const config = this.ctx.config;
    const threads = config.get("engine.threads");
    const client = new LocalEngineClient({
      childPath: this.ctx.extensionContext.asAbsolutePath("dist/inference/child.mjs"),
      cacheDir: this.ctx.extensionContext.globalStorageUri.fsPath,
      gpu: gpuOption(config.get("engine.gpu")),
      threads: threads > 0 ? threads : undefined,
      idleUnloadMs: config.get("engine.idleUnloadMinutes") * 60_000,
      logLevel: "debug",
    });
    this.clientSubscriptions = [
      client.onLog((event) => this.log(event)),
      client.onLoadProgress((progress) => {
        const current = this.engineState.state;
        if (current.kind === "loading") this.engineState.set({ ...current, progress: progress.progress });
      }),
      client.onCrash((event) => this.onCrash(event)),
      client.onBreakerTripped((event) => this.onBreakerTripped(event)),
      client.onStateChange(({ state }) => {
        if (state === "ready" && this.engineState.state.kind === "crashed") this.engineState.reset();
      }),
    ];
    return client;
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
    // Loaded models come back with the restarted child; forget our promises so the next use re-checks.
    this.loads.clear();
    const restart = event.restartInMs === null ? "not restarting" : `restarting in ${event.restartInMs} ms`;
    this.ctx.log.error(`The engine crashed (exit ${String(event.exitCode)}, signal ${String(event.signal)}; ${event.crashesInWindow} recent crash(es); ${restart}): ${event.message}`);
    this.engineState.set({ kind: "crashed", message: `The engine stopped unexpectedly: ${firstLine(event.message)}` });
  }

  private onBreakerTripped(event: BreakerTrippedEvent): void {
    const message = `The Private Coder engine crashed ${event.crashes} times in ${Math.round(event.windowMs / 60_000)} minutes and was stopped. Last error: ${firstLine(event.lastMessage)}`;
    this.engineState.set({ kind: "crashed", message });
    void vscode.window.showErrorMessage(message, "Open Logs", "Restart").then((choice) => {
      if (choice === "Open Logs") void vscode.commands.executeCommand(COMMANDS.showLogs);
      if (choice === "Restart") void vscode.commands.executeCommand(COMMANDS.restartEngine);
    });
  }

  private disposeClientSubscriptions(): void {
    for (const subscription of this.clientSubscriptions.splice(0)) subscription.dispose();
  }

  /** Shuts the child down (graceful, then killed); awaited by `deactivate()` so no process outlives the window. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.configSubscription.dispose();
    this.disposeClientSubscriptions();
    const client = this.client;
    this.client = undefined;
    await client?.dispose();
  }
}

function gpuOption(setting: GpuBackendSetting): GpuSetting {
  return setting === "cpu" ? false : setting;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim().length > 0) ?? text;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function describeModel(info: LoadedModelInfo, backend: string | null | undefined): string {
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
  return [
    `${info.architecture}, context ${info.contextSize} tokens`,
    `${backend ?? "cpu"}, ${info.threads} threads (${info.threadsSource})${info.gpuLayers > 0 ? `, ${info.gpuLayers} GPU layers` : ""}`,
    `file ${gib(info.fileSize)}, FIM ${info.fimSupported ? "supported" : "not supported (prefix-only completion)"}`,
  ].join("\n");
}
