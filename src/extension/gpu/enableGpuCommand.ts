/**
 * Private Coder: Enable GPU Acceleration — the .vsix carries only node-llama-cpp's CPU binary; on a machine with an
 * NVIDIA GPU (nvidia-smi) or a Vulkan driver this fetches the matching CUDA or Vulkan package of exactly the bundled
 * node-llama-cpp version (./gpuPackages.ts), restarts the engine with it and says which device it runs on. Any
 * failure leaves the CPU engine as it was and says why. Offered once, in a notification, when a GPU is found while
 * the engine runs on the CPU. **Remove Downloaded GPU Binaries** takes them away again.
 */
import * as vscode from "vscode";
import type { BackendFacts } from "../../core/backend/index.ts";
import { COMMANDS } from "../../core/commandIds.ts";
import { detectGpus, gpuOffer, shouldOfferGpu, type GpuOffer } from "../../core/gpu/detect.ts";
import type { Ctx } from "../ctx.ts";
import { realGpuProbes } from "../models/machine.ts";
import { bundledNodeLlamaCppVersion, downloadedGpuBytes, GpuInstallError, installedGpuPackages, installGpuPackages, removeGpuPackages } from "./gpuPackages.ts";

export interface GpuCommandDeps {
  /** Restarts the engine and reloads the configured models (with visible progress). */
  restartEngine(): Promise<void>;
  /** Stops the engine child, so no file of a downloaded binary is in use (it starts again on the next request). */
  stopEngine(): Promise<void>;
  /** The running local engine's facts, `undefined` when it has not started. */
  localEngineFacts(): Promise<BackendFacts | undefined>;
}

const OFFERED_KEY = "privateCoder.gpu.offered";

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

export function registerGpuCommand(ctx: Ctx, deps: GpuCommandDeps): void {
  ctx.track(
    vscode.commands.registerCommand(COMMANDS.enableGpuAcceleration, async () => {
      try {
        await enableGpu(ctx, deps);
      } catch (error) {
        ctx.log.error(`Enable GPU Acceleration failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: GPU acceleration could not be enabled: {0}. The engine keeps using the CPU.", error instanceof Error ? error.message : String(error)));
      }
    }),
  );
  ctx.track(
    vscode.commands.registerCommand(COMMANDS.removeGpuBinaries, async () => {
      try {
        await removeGpu(ctx, deps);
      } catch (error) {
        ctx.log.error(`Remove Downloaded GPU Binaries failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: the GPU binaries could not be removed: {0}. Close VS Code and try again.", error instanceof Error ? error.message : String(error)));
      }
    }),
  );
}

/**
 * Private Coder: Remove Downloaded GPU Binaries — frees the disk a CUDA package takes (hundreds of MB) and brings
 * the engine back to the bundled CPU binary. The engine stops first: a running child holds the binary's files open
 * (Windows refuses to delete them); it starts again with the configured models once they are gone.
 */
async function removeGpu(ctx: Ctx, deps: GpuCommandDeps): Promise<void> {
  const storageDir = ctx.extensionContext.globalStorageUri.fsPath;
  const bytes = await downloadedGpuBytes(storageDir);
  if (bytes === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: no GPU binary has been downloaded; the engine uses the bundled binary."));
    return;
  }
  await deps.stopEngine();
  await removeGpuPackages(storageDir);
  ctx.log.info(`Remove Downloaded GPU Binaries: ${mib(bytes)} MiB removed.`);
  await deps.restartEngine();
  void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: the downloaded GPU binaries ({0} MiB) were removed; the engine uses the bundled binary.", mib(bytes)));
}

async function enableGpu(ctx: Ctx, deps: GpuCommandDeps): Promise<void> {
  const offer = gpuOffer(await detectGpus(realGpuProbes()), process.platform, process.arch);
  if (!offer) {
    const message =
      process.platform === "darwin" && process.arch === "arm64"
        ? vscode.l10n.t("Private Coder: on Apple Silicon the bundled binary already uses the GPU (Metal); nothing to download.")
        : vscode.l10n.t("Private Coder: no NVIDIA GPU (nvidia-smi) or Vulkan driver was found on this machine, or there is no GPU binary for it. The engine keeps using the CPU.");
    void vscode.window.showInformationMessage(message);
    return;
  }
  const version = await bundledNodeLlamaCppVersion(ctx.extensionUri.fsPath);
  const storageDir = ctx.extensionContext.globalStorageUri.fsPath;
  const registry = ctx.config.get("engine.gpuPackageRegistry");
  ctx.log.info(`Enable GPU Acceleration: ${offer.backend} for ${offer.gpuName}: ${offer.packages.join(", ")}@${version} from ${registry}`);
  const started = Date.now();
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Private Coder: downloading the {0} GPU binary", offer.backend.toUpperCase()), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          let reported = 0;
          await installGpuPackages({
            registry,
            names: offer.packages,
            version,
            storageDir,
            signal: controller.signal,
            log: (line) => ctx.log.info(line),
            onProgress: (p) => {
              const percent = p.totalBytes ? (100 * p.receivedBytes) / p.totalBytes / p.count : 0;
              const overall = (100 * (p.index - 1)) / p.count + percent;
              progress.report({ message: vscode.l10n.t("{0} ({1} of {2}): {3} MiB", p.name, p.index, p.count, mib(p.receivedBytes)), increment: Math.max(0, overall - reported) });
              reported = Math.max(reported, overall);
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
  } catch (error) {
    if (error instanceof GpuInstallError && error.code === "cancelled") {
      ctx.log.info("Enable GPU Acceleration: cancelled; nothing was installed.");
      void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: GPU download cancelled; nothing was installed and the engine keeps using the CPU."));
      return;
    }
    throw error;
  }
  ctx.log.info(`Enable GPU Acceleration: installed in ${Date.now() - started} ms.`);
  // Whoever asks for GPU acceleration wants it used: a "cpu" choice would keep the download idle.
  if (ctx.config.get("engine.gpu") === "cpu") await ctx.config.update("engine.gpu", "auto");
  await deps.restartEngine();
  await reportDevice(deps, offer);
}

/** After the restart: which device the engine really uses, or why it fell back to the CPU. */
async function reportDevice(deps: GpuCommandDeps, offer: GpuOffer): Promise<void> {
  const facts = await deps.localEngineFacts();
  if (!facts?.device) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: the {0} GPU binary is installed; the engine uses it from its next start.", offer.backend.toUpperCase()));
  } else if (facts.device === "cpu") {
    void vscode.window.showWarningMessage(
      vscode.l10n.t("Private Coder: the {0} GPU binary is installed, but the engine fell back to the CPU: {1}", offer.backend.toUpperCase(), facts.gpuFallbackReason ?? vscode.l10n.t("no reason given")),
    );
  } else {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: the engine now runs on the GPU ({0}).", facts.device));
  }
}

/** Once per machine: a GPU was found but the engine runs on the CPU, so suggest the command. */
export async function offerGpuOnce(ctx: Ctx, deps: Pick<GpuCommandDeps, "localEngineFacts">): Promise<void> {
  const facts = await deps.localEngineFacts();
  if (!facts?.device) return;
  const offer = gpuOffer(await detectGpus(realGpuProbes()), process.platform, process.arch);
  const version = await bundledNodeLlamaCppVersion(ctx.extensionUri.fsPath);
  const installed = offer ? (await installedGpuPackages(ctx.extensionContext.globalStorageUri.fsPath, version)).includes(offer.packages[0]) : false;
  const state = ctx.extensionContext.globalState;
  if (!shouldOfferGpu({ offer, engineDevice: facts.device, gpuSetting: ctx.config.get("engine.gpu"), installed, alreadyOffered: state.get<boolean>(OFFERED_KEY) === true })) return;
  await state.update(OFFERED_KEY, true);
  const enable = vscode.l10n.t("Enable GPU Acceleration");
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t("Private Coder: {0} was found, but the engine runs on the CPU. Download the {1} binary (from the npm registry) to use the GPU?", offer!.gpuName, offer!.backend.toUpperCase()),
    enable,
  );
  if (choice === enable) await vscode.commands.executeCommand(COMMANDS.enableGpuAcceleration);
}
