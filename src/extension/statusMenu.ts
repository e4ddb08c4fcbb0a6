import * as vscode from "vscode";
import { COMMANDS, type CommandId } from "../core/commandIds.ts";
import type { Ctx } from "./ctx.ts";
import type { ModelStatus } from "./modelStatus.ts";

interface MenuItem extends vscode.QuickPickItem {
  readonly command: CommandId;
}

/**
 * The Private Coder menu the status-bar item opens: the actions a user reaches for from there, each one click away,
 * with the state they act on in the description (which model, whether completions are on).
 */
export function statusMenuItems(ctx: Ctx, modelStatus: ModelStatus): MenuItem[] {
  const state = modelStatus.state;
  const model = state.kind === "idle" || state.kind === "ready" || state.kind === "loading" ? state.modelName : vscode.l10n.t("none selected");
  const completionsOn = ctx.config.completionEnabled;
  return [
    { label: `$(hubot) ${vscode.l10n.t("Select Model…")}`, description: model, command: COMMANDS.selectModel },
    completionsOn
      ? { label: `$(circle-slash) ${vscode.l10n.t("Turn Inline Completions Off")}`, command: COMMANDS.toggleInlineCompletions }
      : { label: `$(check) ${vscode.l10n.t("Turn Inline Completions On")}`, command: COMMANDS.toggleInlineCompletions },
    { label: `$(graph) ${vscode.l10n.t("Show Statistics")}`, command: COMMANDS.showStatistics },
    { label: `$(eye) ${vscode.l10n.t("Show What the Model Sees")}`, command: COMMANDS.showWhatTheModelSees },
    { label: `$(info) ${vscode.l10n.t("Show Engine Status")}`, command: COMMANDS.showEngineStatus },
    // Speed-ups a user looks for here: each command says itself when it does not apply to this machine.
    { label: `$(rocket) ${vscode.l10n.t("Enable GPU Acceleration")}`, description: vscode.l10n.t("downloads the GPU binary for an NVIDIA or Vulkan GPU"), command: COMMANDS.enableGpuAcceleration },
    { label: `$(zap) ${vscode.l10n.t("Optimize the Engine for This CPU")}`, description: vscode.l10n.t("builds llama.cpp here, used only where faster"), command: COMMANDS.optimizeEngine },
    { label: `$(output) ${vscode.l10n.t("Show Logs")}`, command: COMMANDS.showLogs },
    { label: `$(debug-restart) ${vscode.l10n.t("Restart Engine")}`, command: COMMANDS.restartEngine },
  ];
}

/** Opens the menu; the chosen action runs as its command (so it reports its own errors). */
export async function showStatusMenu(ctx: Ctx, modelStatus: ModelStatus): Promise<void> {
  const choice = await vscode.window.showQuickPick(statusMenuItems(ctx, modelStatus), { title: "Private Coder", placeHolder: vscode.l10n.t("Choose an action") });
  if (choice) await vscode.commands.executeCommand(choice.command);
}
