import * as vscode from "vscode";
import os from "node:os";
import path from "node:path";
import type { ModelRef, ModelRole } from "../../core/backend/index.ts";
import type { EndpointModels } from "../../inference/remote/remoteBackend.ts";
import { CATALOG, downloadUrl, type CatalogModel } from "../../core/models/catalog.ts";
import { otherToolRoots, type StoreKind, type StoreRoot } from "../../core/models/storeLocations.ts";
import type { Ctx } from "../ctx.ts";
import { downloadModel, DownloadError, type DownloadProgress } from "./downloader.ts";
import { machineInfo, type MachineInfo } from "./machine.ts";
import { listLocalModels, refineWithLoader, type ListedModel, type LoaderFitter } from "./modelLister.ts";
import { rememberModel } from "./modelLabels.ts";
import type { DiscoveredModel } from "../../core/models/discovery.ts";

/** Time box of the loader estimates for a list: the engine may have to start first (seconds), then ~ms per file. */
const REFINE_BASE_MS = 10_000;
const REFINE_PER_MODEL_MS = 500;


/** Which roles a model is set for: one model for both is loaded once (the registry shares the file). */
export type RoleChoice = ModelRole | "both";

export interface DownloadSpec {
  readonly url: string;
  readonly fileName: string;
  readonly sizeBytes?: number;
  readonly sha256?: string;
  readonly label: string;
}

/** The remote endpoints' side of the picker (the `RemoteHost`): their models, and making a role use one. */
export interface RemoteModelSource {
  listModelsByEndpoint(signal?: AbortSignal): Promise<EndpointModels[]>;
  useModel(role: ModelRole, ref: ModelRef): Promise<void>;
  /** Where `role` runs now, and which remote model it uses there. */
  location(role: ModelRole): "local" | "remote";
  modelFor(role: ModelRole): ModelRef;
}

/**
 * The model manager's host side: where models are looked for (the extension's models folder, the user's folders,
 * other tools' stores on this OS), listing with fit verdicts, downloads with a progress notification, and setting a
 * model for a role. Tests reach it through the extension API.
 */
export class ModelManager {
  constructor(
    private readonly ctx: Ctx,
    private readonly fitter?: LoaderFitter,
    private readonly remote?: RemoteModelSource,
  ) {}

  /** `<global storage>/models`: downloads land here. */
  get modelsDir(): string {
    return path.join(this.ctx.extensionContext.globalStorageUri.fsPath, "models");
  }

  roots(): StoreRoot[] {
    const own: StoreRoot = { kind: "file", path: this.modelsDir, reason: "extension models folder" };
    const user = this.ctx.config.get("models.folders").map((p): StoreRoot => ({ kind: "file", path: p, reason: "privateCoder.models.folders" }));
    return [own, ...user, ...otherToolRoots({ platform: process.platform, home: os.homedir(), env: process.env })];
  }

  machine(): Promise<MachineInfo> {
    return machineInfo();
  }

  async list(signal?: AbortSignal): Promise<ListedModel[]> {
    const started = Date.now();
    const skipped: string[] = [];
    const models = await listLocalModels({
      roots: this.roots(),
      machine: await this.machine(),
      contextSetting: this.ctx.config.get("engine.contextSize"),
      onSkip: (_p, reason) => skipped.push(reason),
      ...(signal ? { signal } : {}),
    });
    // Metadata only: counts and reasons, never file names (they can name a client's project).
    const bySource = new Map<StoreKind, number>();
    for (const m of models) bySource.set(m.source, (bySource.get(m.source) ?? 0) + 1);
    this.ctx.log.info(`Found ${models.length} model(s) in ${Date.now() - started} ms (${[...bySource].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}).`);
    for (const reason of new Set(skipped)) this.ctx.log.info(`Skipped ${skipped.filter((r) => r === reason).length} file(s) that are not usable models: ${reason}.`);
    return models;
  }

  /**
   * The same models with the engine's loader estimates (node-llama-cpp's `GgufInsights`: RAM/VRAM by layer, GPU
   * layers, the largest context). Starts the engine if it is not running (no model is loaded); when the engine
   * cannot answer, the header-based estimates stay and the log says why.
   */
  async refine(models: readonly ListedModel[], signal?: AbortSignal): Promise<ListedModel[]> {
    if (!this.fitter) return [...models];
    const gpuLayers = this.ctx.config.get("engine.gpuLayers");
    return refineWithLoader(models, this.fitter, {
      params: { contextSize: this.ctx.config.get("engine.contextSize"), gpuLayers: gpuLayers >= 0 ? gpuLayers : null },
      // The picker must never wait on a slow engine start or disk; each file also has its own time box in the child.
      budgetMs: REFINE_BASE_MS + REFINE_PER_MODEL_MS * models.length,
      ...(signal ? { signal } : {}),
      log: this.ctx.log,
    });
  }

  get endpoint(): string {
    return this.ctx.config.get("models.downloadEndpoint");
  }

  catalog(): readonly CatalogModel[] {
    return CATALOG;
  }

  catalogDownload(model: CatalogModel): DownloadSpec {
    return { url: downloadUrl(model, this.endpoint), fileName: model.file.split("/").pop() ?? model.file, sizeBytes: model.sizeBytes, sha256: model.sha256, label: model.label };
  }

  /** Downloads without UI (the tests and the progress wrapper below); resolves to the verified file. */
  async download(spec: DownloadSpec, signal?: AbortSignal, onProgress?: (p: DownloadProgress) => void): Promise<string> {
    const result = await downloadModel({
      url: spec.url,
      fileName: spec.fileName,
      dir: this.modelsDir,
      ...(spec.sizeBytes !== undefined ? { sizeBytes: spec.sizeBytes } : {}),
      ...(spec.sha256 !== undefined ? { sha256: spec.sha256 } : {}),
      ...(signal ? { signal } : {}),
      ...(onProgress ? { onProgress } : {}),
      log: (line) => this.ctx.log.info(line),
    });
    return result.path;
  }

  /** A download with a cancellable progress notification (percent, speed, time left); undefined when cancelled. */
  async downloadWithProgress(spec: DownloadSpec): Promise<string | undefined> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Downloading {0}", spec.label), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await this.download(spec, controller.signal, (p) => {
            const total = p.totalBytes ?? spec.sizeBytes;
            const percent = total ? (p.receivedBytes / total) * 100 : 0;
            const speed = `${(p.bytesPerSecond / 1e6).toFixed(1)} MB/s`;
            const eta = p.etaSeconds === undefined ? "" : ` · ${formatEta(p.etaSeconds)}`;
            progress.report({ message: `${percent.toFixed(0)} % · ${speed}${eta}`, increment: percent - reported });
            reported = percent;
          });
        } catch (error) {
          if (error instanceof DownloadError && error.code === "cancelled") {
            void vscode.window.showInformationMessage(vscode.l10n.t("Download of {0} cancelled. Downloading it again continues where it stopped.", spec.label));
            return undefined;
          }
          throw new Error(vscode.l10n.t("Downloading {0} failed: {1}. The model you used before is unchanged.", spec.label, error instanceof Error ? error.message : String(error)));
        } finally {
          subscription.dispose();
        }
      },
    );
  }

  /** The chat model's file, else the completion model's (where Browse… starts). */
  currentModelPath(): string | undefined {
    return this.ctx.config.chatModelPath || this.ctx.config.completionModelPath || undefined;
  }

  /**
   * Sets `filePath` as the model of `role` (both: one file, loaded once). A role that ran on a server comes back to
   * this machine: picking a local model means using it. `found`: the listing it was picked from, whose name for it
   * (an Ollama model's, say) the status bar and chat show instead of the file's.
   */
  async use(filePath: string, role: RoleChoice, found?: Pick<DiscoveredModel, "label" | "source">): Promise<void> {
    if (found) await rememberModel(this.ctx.extensionContext.globalState, filePath, { label: found.label, source: found.source });
    for (const r of rolesOf(role)) {
      await this.ctx.config.update(r === "completion" ? "completion.modelPath" : "chat.modelPath", filePath);
      const backend = r === "completion" ? "completion.backend" : "chat.backend";
      if (this.ctx.config.get(backend) !== "local") await this.ctx.config.update(backend, "local");
    }
    this.ctx.log.info(`Model selected for ${role}.`);
  }

  /** The configured servers' models, or why a server gave none (empty when no endpoint is configured). */
  remoteModels(signal?: AbortSignal): Promise<EndpointModels[]> {
    return this.remote ? this.remote.listModelsByEndpoint(signal) : Promise.resolve([]);
  }

  /** The roles that use the remote model `ref` now (for the picker's "in use" mark). */
  remoteRolesOf(ref: ModelRef): ModelRole[] {
    const remote = this.remote;
    if (!remote) return [];
    return (["completion", "chat"] as const).filter((role) => remote.location(role) === "remote" && remote.modelFor(role).remoteModel === ref.remoteModel);
  }

  /** Makes `role` (or both) use a server's model; the consent modal comes with the first request that carries code. */
  async useRemote(ref: ModelRef, role: RoleChoice): Promise<void> {
    if (!this.remote) throw new Error("remote endpoints are not available");
    for (const r of rolesOf(role)) await this.remote.useModel(r, ref);
    this.ctx.log.info(`Remote model selected for ${role}.`);
  }
}

/** The roles a choice stands for, completion first. */
function rolesOf(choice: RoleChoice): readonly ModelRole[] {
  return choice === "both" ? ["completion", "chat"] : [choice];
}

function formatEta(seconds: number): string {
  if (seconds < 60) return vscode.l10n.t("{0} s left", Math.ceil(seconds));
  if (seconds < 3600) return vscode.l10n.t("{0} min left", Math.ceil(seconds / 60));
  return vscode.l10n.t("{0} h left", (seconds / 3600).toFixed(1));
}
