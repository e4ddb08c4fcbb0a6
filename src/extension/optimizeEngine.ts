/**
 * Private Coder: Optimize the Engine for This CPU (opt-in; offered in the palette where cmake, a C++ compiler and git
 * are on PATH and node-llama-cpp's llama.cpp source is installed). Builds node-llama-cpp's addon for this CPU in the
 * background (src/inference/tools/engineBuild.ts: native flags, OpenMP; cached outside the extension), measures it
 * against the prebuilt binary on the user's model in fresh engine processes (tools/engineVerify.ts), and uses it only
 * when it is faster (core/engineVerdict.ts). Every failure, a cancel or a slower build leaves the prebuilt in use and
 * says why. The choice is remembered in global state with the boot it was measured in: after the machine restarts,
 * the build is measured against the prebuilt again in the background once a model is ready, and dropped if it is no
 * longer faster. The engine child falls back by itself when the build no longer loads (another node-llama-cpp
 * version, another CPU, a broken file).
 */
import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import { engineVerdict } from "../core/engineVerdict.ts";
import { buildEngine, bundledCommit, EngineBuildError, missingBuildTools, type EngineBuildPhase } from "../inference/tools/engineBuild.ts";
import { machineBootId, measureEngine, needsReverify, reverifyBuild, type VerifiedBuild } from "../inference/tools/engineVerify.ts";
import { llamaToolsCacheRoot } from "../inference/tools/quantize.ts";
import type { BackendRegistry } from "./backendRegistry.ts";
import type { Ctx } from "./ctx.ts";

const STATE_KEY = "privateCoder.engine.localBuild";
const CONTEXT_KEY = "privateCoder.canOptimizeEngine";

type SavedBuild = VerifiedBuild;

/** After a model is ready, how long the re-measure after a restart waits, so that it does not slow the first requests. */
const REVERIFY_DELAY_MS = 60_000;

/** The verified build for this CPU the engine should run, or null for the prebuilt. */
export function localEngineBinary(ctx: Ctx): string | null {
  return ctx.extensionContext.globalState.get<SavedBuild>(STATE_KEY)?.addon ?? null;
}

const round2 = (n: number): string => n.toFixed(2);

/** The model the builds are measured on: the completion model's file, else the chat model's ("" when none). */
function measuredModelPath(ctx: Ctx): string {
  return ctx.config.get("completion.modelPath") || ctx.config.get("chat.modelPath");
}

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
  const modelPath = measuredModelPath(ctx);
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
  const saved: SavedBuild = { addon: outcome.addon, prefillRatio: verdict.prefillRatio, decodeRatio: verdict.decodeRatio, verifiedAt: new Date().toISOString(), bootId: machineBootId() };
  await state.update(STATE_KEY, saved);
  await backends.restart();
  void vscode.window.showInformationMessage(
    vscode.l10n.t("Private Coder now runs an engine built for this CPU: prompt ×{0}, generation ×{1} against the prebuilt one.", round2(verdict.prefillRatio), round2(verdict.decodeRatio)),
  );
}

/**
 * After the machine restarted since the build was verified (or the verdict does not say when), measures it against
 * the prebuilt again, in the background, a minute after a model is ready: kept only while still faster. The engine
 * keeps running whichever binary it started with until the verdict changes.
 */
export function scheduleReverify(ctx: Ctx, backends: BackendRegistry, modelReady: vscode.Event<unknown>, isReady: () => boolean): void {
  const saved = ctx.extensionContext.globalState.get<SavedBuild>(STATE_KEY);
  const bootId = machineBootId();
  if (!saved || !needsReverify(saved, bootId)) return;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const start = (): void => {
    if (timer || controller.signal.aborted) return;
    timer = setTimeout(() => void reverify(ctx, backends, saved, bootId, controller.signal), REVERIFY_DELAY_MS);
  };
  const waiting = modelReady(() => {
    if (isReady()) start();
  });
  ctx.track({
    dispose: () => {
      waiting.dispose();
      if (timer) clearTimeout(timer);
      controller.abort();
    },
  });
  if (isReady()) start();
}

async function reverify(ctx: Ctx, backends: BackendRegistry, saved: SavedBuild, bootId: string, signal: AbortSignal): Promise<void> {
  const modelPath = measuredModelPath(ctx);
  if (!modelPath) return;
  const state = ctx.extensionContext.globalState;
  const client = { childPath: ctx.extensionContext.asAbsolutePath("dist/inference/child.mjs"), cacheDir: ctx.extensionContext.globalStorageUri.fsPath };
  ctx.log.info("Optimize engine: the machine restarted since the build for this CPU was measured; measuring it against the prebuilt again");
  try {
    const result = await reverifyBuild(saved, { client, modelPath, bootId, signal });
    // Someone ran the command meanwhile: their verdict stands.
    if (state.get<SavedBuild>(STATE_KEY)?.verifiedAt !== saved.verifiedAt) return;
    if (result.keep) {
      await state.update(STATE_KEY, result.saved);
      ctx.log.info(`Optimize engine: the build for this CPU is still faster (prompt ×${round2(result.verdict.prefillRatio)}, generation ×${round2(result.verdict.decodeRatio)}); kept`);
      return;
    }
    await state.update(STATE_KEY, undefined);
    ctx.log.info(`Optimize engine: the build for this CPU is dropped after the restart: ${result.reason}`);
    await backends.restart();
    void vscode.window.showInformationMessage(
      result.verdict
        ? vscode.l10n.t("Private Coder: measured again after the machine restarted, the engine built for this CPU is no longer faster here (prompt ×{0}, generation ×{1}); the prebuilt engine is in use again.", round2(result.verdict.prefillRatio), round2(result.verdict.decodeRatio))
        : vscode.l10n.t("Private Coder: after the machine restarted, the engine built for this CPU no longer runs here ({0}); the prebuilt engine is in use again.", result.reason),
    );
  } catch (error) {
    if (signal.aborted) return;
    ctx.log.warn(`Optimize engine: measuring the build for this CPU again failed; the verdict stays until the next restart: ${error instanceof Error ? error.message : String(error)}`);
  }
}
