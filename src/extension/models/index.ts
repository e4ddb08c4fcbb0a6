import * as vscode from "vscode";
import { COMMANDS } from "../../core/commandIds.ts";
import { formatGb } from "../../core/models/fit.ts";
import { recommendPair } from "../../core/models/recommend.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import type { Ctx } from "../ctx.ts";
import { describeError } from "../userMessages.ts";
import { ModelManager } from "./modelManager.ts";
import { selectModelFromList } from "./modelPicker.ts";
import { estimateMemoryMarkdown, ReportDocuments, systemInfoMarkdown } from "./reports.ts";

export interface ModelFeatures {
  readonly manager: ModelManager;
  selectModel(): Promise<void>;
}

/** The model manager and its commands (Estimate Memory, Show System Info); Select Model goes through commands.ts. */
export function registerModels(ctx: Ctx, backends: BackendRegistry): ModelFeatures {
  const manager = new ModelManager(ctx, (params, signal) => backends.estimateFit(params, signal), backends.remote);
  const register = (id: string, handler: () => Promise<void>) =>
    ctx.track(
      vscode.commands.registerCommand(id, async () => {
        try {
          await handler();
        } catch (error) {
          ctx.log.error(`Command ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", describeError(error, vscode.l10n)));
        }
      }),
    );
  const reports = ctx.track(new ReportDocuments());
  register(COMMANDS.estimateMemory, async () => reports.showPreview("memory-estimate.md", await estimateMemoryMarkdown(manager)));
  register(COMMANDS.showSystemInfo, async () => {
    // Only a running engine is asked: System Info never loads a model by itself.
    const status = backends.childPid !== undefined ? await backends.loadedStatus() : undefined;
    const config = ctx.config;
    await reports.showPreview("system-info.md", await systemInfoMarkdown(manager, status, { gpu: config.get("engine.gpu"), threads: config.get("engine.threads"), gpuLayers: config.get("engine.gpuLayers") }));
  });
  return { manager, selectModel: () => selectModelFromList(manager) };
}

/**
 * The first time Private Coder starts without a model, say once what it needs and offer the best-fitting
 * recommended pair (with its size) or a model file the user already has. The chat view, the status bar and the
 * walkthrough keep offering Select Model afterwards, so this never nags.
 */
export async function offerFirstRunModelChoice(ctx: Ctx, manager: ModelManager): Promise<void> {
  const key = "privateCoder.firstRunModelPromptShown";
  if (ctx.config.chatModelPath || ctx.config.completionModelPath || ctx.extensionContext.globalState.get<boolean>(key)) return;
  await ctx.extensionContext.globalState.update(key, true);
  const pair = recommendPair(manager.catalog(), await manager.machine());
  const download = pair.completion && pair.chat ? vscode.l10n.t("Download {0} GB", formatGb(pair.completion.sizeBytes + pair.chat.sizeBytes)) : undefined;
  const haveFile = vscode.l10n.t("I Have a Model File");
  const choose = vscode.l10n.t("Select Model…");
  const message =
    pair.completion && pair.chat
      ? vscode.l10n.t("Private Coder runs a GGUF model on this machine: nothing you type leaves it. Recommended here: {0} for completion and {1} for chat.", pair.completion.label, pair.chat.label)
      : vscode.l10n.t("Private Coder runs a GGUF model on this machine: nothing you type leaves it. Choose a model to start.");
  const choice = await vscode.window.showInformationMessage(message, ...(download ? [download] : []), haveFile, choose);
  if (choice === download && pair.completion && pair.chat) {
    const completion = await manager.downloadWithProgress(manager.catalogDownload(pair.completion));
    if (completion) await manager.use(completion, "completion");
    const chat = completion ? await manager.downloadWithProgress(manager.catalogDownload(pair.chat)) : undefined;
    if (chat) await manager.use(chat, "chat");
  } else if (choice === haveFile || choice === choose) {
    await vscode.commands.executeCommand(COMMANDS.selectModel);
  }
}
