/**
 * Private Coder: Quantize Model… — turns an F16/F32/Q8_0 GGUF into Q4_K_M / Q5_K_M / Q6_K / Q8_0 with llama.cpp's
 * `llama-quantize` (see src/inference/tools/quantize.ts), with progress and cancel; the new file goes next to the old
 * one, and its size and whether it fits in free memory are shown before and after. Without the tool the command says
 * what is needed.
 */
import { statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import { estimateQuantizedBytes, fitOf, QUANT_TYPES, quantizedOutputPath, shrinks, typeFromFileName, type Fit, type QuantType } from "../core/quantize.ts";
import { findLlamaQuantize, QuantizeError, quantizeModel } from "../inference/tools/quantize.ts";
import type { Ctx } from "./ctx.ts";

/** A context's memory next to the weights, roughly (a 4k-token context of a small model, plus the runtime). */
function contextBytes(modelBytes: number): number {
  return 256 * 2 ** 20 + modelBytes * 0.1;
}

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

function fitText(fit: Fit): string {
  if (fit === "fits") return vscode.l10n.t("fits in free memory");
  if (fit === "tight") return vscode.l10n.t("fits, with little memory to spare");
  return vscode.l10n.t("does not fit in free memory now");
}

export function registerQuantizeCommand(ctx: Ctx): void {
  ctx.track(
    vscode.commands.registerCommand(COMMANDS.quantizeModel, async () => {
      try {
        await quantizeCommand(ctx);
      } catch (error) {
        ctx.log.error(`quantize failed: ${error instanceof Error ? error.message : String(error)}`);
        void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: quantizing failed: {0}", error instanceof Error ? error.message : String(error)));
      }
    }),
  );
}

async function chooseInput(ctx: Ctx): Promise<string | undefined> {
  const current = [ctx.config.get("completion.modelPath"), ctx.config.get("chat.modelPath")].filter((p, i, all) => p !== "" && all.indexOf(p) === i);
  const browse = vscode.l10n.t("Choose a GGUF file…");
  const items = [...current.map((p) => ({ label: path.basename(p), description: p })), { label: browse, description: "" }];
  const picked = current.length === 0 ? { label: browse } : await vscode.window.showQuickPick(items, { title: vscode.l10n.t("Quantize which model?") });
  if (!picked) return undefined;
  if (picked.label !== browse) return (picked as { description: string }).description;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { GGUF: ["gguf"] }, title: vscode.l10n.t("Quantize which model?") });
  return uris?.[0]?.fsPath;
}

async function quantizeCommand(ctx: Ctx): Promise<void> {
  const userPath = ctx.config.get("tools.llamaQuantizePath") || undefined;
  const tool = findLlamaQuantize(userPath, null);
  if (!tool) {
    const settings = vscode.l10n.t("Open Settings");
    const message = userPath
      ? vscode.l10n.t("Private Coder: llama-quantize was not found at {0}.", userPath)
      : vscode.l10n.t(
          "Private Coder: Quantize Model needs llama.cpp's llama-quantize. Build it once from the bundled llama.cpp source with `npm run llama-tools` (needs cmake and a C++ compiler), or set privateCoder.tools.llamaQuantizePath.",
        );
    if ((await vscode.window.showErrorMessage(message, settings)) === settings) {
      await vscode.commands.executeCommand("workbench.action.openSettings", "privateCoder.tools.llamaQuantizePath");
    }
    return;
  }
  const input = await chooseInput(ctx);
  if (!input) return;
  const inputBytes = statSync(input).size;
  const sourceType = typeFromFileName(input);
  const free = os.freemem();
  const types = (Object.keys(QUANT_TYPES) as QuantType[]).filter((t) => shrinks(sourceType, t));
  if (types.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: {0} is already {1}; there is no smaller type to offer.", path.basename(input), sourceType ?? ""));
    return;
  }
  const picked = await vscode.window.showQuickPick(
    types.map((type) => {
      const bytes = estimateQuantizedBytes(inputBytes, sourceType, type);
      return { label: type, type, description: vscode.l10n.t("~{0} MiB, {1}", mib(bytes), fitText(fitOf(bytes, contextBytes(bytes), free))) };
    }),
    { title: vscode.l10n.t("Quantize {0} ({1} MiB) to…", path.basename(input), mib(inputBytes)) },
  );
  if (!picked) return;
  const output = quantizedOutputPath(input, picked.type);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, cancellable: true, title: vscode.l10n.t("Quantizing {0} to {1}", path.basename(input), picked.type) },
    async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        return await quantizeModel({
          tool,
          input,
          output,
          type: picked.type,
          signal: controller.signal,
          onProgress: (done, total) => {
            const percent = Math.floor((done / total) * 100);
            progress.report({ increment: percent - reported, message: `${done}/${total}` });
            reported = percent;
          },
        });
      } catch (error) {
        if (error instanceof QuantizeError && error.code === "cancelled") return undefined;
        if (error instanceof QuantizeError && error.code === "exists") throw new Error(vscode.l10n.t("{0} exists already; move or delete it first.", output));
        throw error;
      }
    },
  );
  if (!result) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: quantizing was cancelled; no file was left."));
    return;
  }
  ctx.log.info(`quantized a model to ${picked.type} in ${result.ms} ms (${mib(result.bytes)} MiB)`);
  const useCompletion = vscode.l10n.t("Use for Completion");
  const useChat = vscode.l10n.t("Use for Chat");
  const fit = fitText(fitOf(result.bytes, contextBytes(result.bytes), os.freemem()));
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t("Private Coder: wrote {0} ({1} MiB, {2}).", result.output, mib(result.bytes), fit),
    useCompletion,
    useChat,
  );
  if (choice === useCompletion) await ctx.config.update("completion.modelPath", result.output);
  if (choice === useChat) await ctx.config.update("chat.modelPath", result.output);
}
