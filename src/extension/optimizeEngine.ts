/**
 * Private Coder: Optimize the Engine for This CPU (opt-in; offered in the palette where cmake, a C++ compiler and git
 * are on PATH and node-llama-cpp's llama.cpp source is installed). Builds node-llama-cpp's addon for this CPU in the
 * background (src/inference/tools/engineBuild.ts: native flags, OpenMP; cached outside the extension), measures it
 * against the prebuilt binary on the user's model in fresh engine processes (tools/engineVerify.ts), and uses it only
 * when it is faster (core/engineVerdict.ts). Every failure, a cancel or a slower build leaves the prebuilt in use and
 * says why. The choice is remembered in global state; the engine child falls back by itself when the build no longer
 * loads (another node-llama-cpp version, another CPU, a broken file).
 */
import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import { engineVerdict } from "../core/engineVerdict.ts";
import { buildEngine, bundledCommit, EngineBuildError, missingBuildTools, type EngineBuildPhase } from "../inference/tools/engineBuild.ts";
import { measureEngine } from "../inference/tools/engineVerify.ts";
import { llamaToolsCacheRoot } from "../inference/tools/quantize.ts";
import type { BackendRegistry } from "./backendRegistry.ts";
import type { Ctx } from "./ctx.ts";

const STATE_KEY = "privateCoder.engine.localBuild";
const CONTEXT_KEY = "privateCoder.canOptimizeEngine";

interface SavedBuild {
  readonly addon: string;
  readonly prefillRatio: number;
  readonly decodeRatio: number;
  readonly verifiedAt: string;
}

/** The verified build for this CPU the engine should run, or null for the prebuilt. */
export function localEngineBinary(ctx: Ctx): string | null {
  return ctx.extensionContext.globalState.get<SavedBuild>(STATE_KEY)?.addon ?? null;
}

const round2 = (n: number): string => n.toFixed(2);

/** node-llama-cpp inside the extension (the host bundle cannot resolve packages relative to itself). */
function nlcDir(ctx: Ctx): string {
  return ctx.extensionContext.asAbsolutePath("node_modules/node-llama-cpp");
}

export function registerOptimizeEngine(ctx: Ctx, backends: BackendRegistry): void {
  const available = missingBuildTools().length === 0 && bundledCommit(nlcDir(ctx)) != null;
  void vscode.commands.executeCommand("setContext", CONTEXT_KEY, available);
  ctx.track(
    vscode.commands.registerCommand(COMMANDS.optimizeEngine, async () => {
      try {
        await optimize(ctx, backends);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        ctx.log.error(`Optimize engine failed: ${reason}`);
        const openLogs = vscode.l10n.t("Open Logs");
        const choice = await vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: the engine could not be optimized for this CPU: {0}. The prebuilt engine stays in use.", reason), openLogs);
        if (choice === openLogs) await vscode.commands.executeCommand(COMMANDS.showLogs);
      }
    }),
  );
}

async function optimize(ctx: Ctx, backends: BackendRegistry): Promise<void> {
  const state = ctx.extensionContext.globalState;
  if (state.get<SavedBuild>(STATE_KEY)) {
    const again = vscode.l10n.t("Build and Measure Again");
    const prebuilt = vscode.l10n.t("Use the Prebuilt Engine");
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t("Private Coder runs an engine built for this CPU."), again, prebuilt);
    if (choice === prebuilt) {
      await state.update(STATE_KEY, undefined);
      await backends.restart();
      void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: the prebuilt engine is in use again."));
      return;
    }
    if (choice !== again) return;
  }
  const missing = missingBuildTools();
  if (missing.length > 0) {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: building the engine for this CPU needs {0} on PATH. The prebuilt engine stays in use.", missing.join(", ")));
    return;
  }
  const modelPath = ctx.config.get("completion.modelPath") || ctx.config.get("chat.modelPath");
  if (!modelPath) {
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: select a model first; the build for this CPU is measured on it."));
    return;
  }
  const phaseText: Record<EngineBuildPhase, string> = {
    clone: vscode.l10n.t("copying the bundled llama.cpp source…"),
    configure: vscode.l10n.t("configuring…"),
    compile: vscode.l10n.t("compiling…"),
    finish: vscode.l10n.t("finishing…"),
  };
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, cancellable: true, title: vscode.l10n.t("Private Coder: optimizing the engine for this CPU") },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      const report = (percent: number, message: string): void => {
        progress.report({ increment: Math.max(0, percent - reported), message });
        reported = Math.max(reported, percent);
      };
      try {
        const built = await buildEngine({
          cacheRoot: llamaToolsCacheRoot(),
          nodeLlamaCppDir: nlcDir(ctx),
          signal: controller.signal,
          onProgress: (phase, percent) => report(Math.round(percent * 0.8), `${phaseText[phase]} ${percent} %`),
          onLine: (line) => ctx.log.trace(`[engine-build] ${line}`),
        });
        ctx.log.info(`engine build for this CPU ${built.cached ? "found in the cache" : `built in ${Math.round(built.info.buildMs / 1000)} s`}: ${built.addon}`);
        const client = { childPath: ctx.extensionContext.asAbsolutePath("dist/inference/child.mjs"), cacheDir: ctx.extensionContext.globalStorageUri.fsPath };
        report(82, vscode.l10n.t("measuring the prebuilt engine…"));
        const prebuilt = await measureEngine({ client, modelPath, engineBinary: null, signal: controller.signal });
        report(91, vscode.l10n.t("measuring the engine built for this CPU…"));
        const local = await measureEngine({ client, modelPath, engineBinary: built.addon, threads: prebuilt.threads, signal: controller.signal });
        return { addon: built.addon, prebuilt, local };
      } catch (error) {
        if (controller.signal.aborted || (error instanceof EngineBuildError && error.code === "cancelled")) return undefined;
        throw error;
      } finally {
        cancel.dispose();
      }
    },
  );
  if (!outcome) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: optimizing was cancelled; the prebuilt engine stays in use."));
    return;
  }
  const verdict = engineVerdict(outcome.prebuilt, outcome.local);
  const speeds = (s: typeof outcome.local): string => `${Math.round(s.prefillTokensPerSecond)} / ${s.decodeTokensPerSecond.toFixed(1)} t/s`;
  ctx.log.info(`engine verification (${outcome.prebuilt.threads} threads, prompt / generation): prebuilt ${speeds(outcome.prebuilt)}, this CPU's build ${speeds(outcome.local)}, workload ×${round2(verdict.workloadRatio)}`);
  if (!verdict.useLocal) {
    await state.update(STATE_KEY, undefined);
    void vscode.window.showInformationMessage(
      vscode.l10n.t("Private Coder: the engine built for this CPU was not faster here (prompt ×{0}, generation ×{1}); the prebuilt engine stays in use.", round2(verdict.prefillRatio), round2(verdict.decodeRatio)),
    );
    return;
  }
  const saved: SavedBuild = { addon: outcome.addon, prefillRatio: verdict.prefillRatio, decodeRatio: verdict.decodeRatio, verifiedAt: new Date().toISOString() };
  await state.update(STATE_KEY, saved);
  await backends.restart();
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Private Coder now runs an engine built for this CPU: prompt ×{0}, generation ×{1} against the prebuilt one.", round2(verdict.prefillRatio), round2(verdict.decodeRatio)),
  );
}
