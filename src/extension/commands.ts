import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import type { Ctx } from "./ctx.ts";
import { describeError } from "./userMessages.ts";

/** Hooks the commands call into features that live elsewhere (the engine, the chat view). */
export interface CommandHandlers {
  restartEngine(): Promise<void>;
  showMenu(): Promise<void>;
  showEngineStatus(): Promise<void>;
  showWhatTheModelSees(): Promise<void>;
  explainSelection(): Promise<void>;
  selectModel(): Promise<void>;
}

/** Registers every contributed command; each handler reports its own errors to the user and the log. */
export function registerCommands(ctx: Ctx, handlers: CommandHandlers): void {
  const register = (id: string, handler: () => unknown) =>
    ctx.track(
      vscode.commands.registerCommand(id, async () => {
        try {
          await handler();
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          ctx.log.error(`Command ${id} failed: ${message}`);
          void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", describeError(error, vscode.l10n)));
        }
      }),
    );

  register(COMMANDS.selectModel, () => handlers.selectModel());
  register(COMMANDS.showLogs, () => ctx.log.show(true));
  register(COMMANDS.restartEngine, () => handlers.restartEngine());
  register(COMMANDS.showMenu, () => handlers.showMenu());
  register(COMMANDS.showEngineStatus, () => handlers.showEngineStatus());
  register(COMMANDS.showWhatTheModelSees, () => handlers.showWhatTheModelSees());
  register(COMMANDS.toggleInlineCompletions, async () => {
    const enabled = !ctx.config.completionEnabled;
    await ctx.config.update("completion.enabled", enabled);
    vscode.window.setStatusBarMessage(enabled ? vscode.l10n.t("Private Coder: inline completions on") : vscode.l10n.t("Private Coder: inline completions off"), 3000);
  });
  register(COMMANDS.explainSelection, () => handlers.explainSelection());
  // Show Statistics and Clear Usage Log are registered with the usage log (src/extension/usage/index.ts).
}
