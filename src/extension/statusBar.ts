import * as vscode from "vscode";
import type { ModelViewState } from "../core/chatProtocol.ts";
import { COMMANDS } from "../core/commandIds.ts";
import type { Ctx } from "./ctx.ts";
import type { ModelStatus } from "./modelStatus.ts";

/** One status-bar item: what the engine is doing, and a click that leads to the next useful action. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("privateCoder.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    modelStatus: ModelStatus,
  ) {
    this.item.name = "Private Coder";
    this.render(modelStatus.state);
    this.subscriptions.push(
      modelStatus.onDidChange((state) => this.render(state)),
      ctx.config.onDidChange((keys) => {
        if (keys.has("completion.enabled")) this.render(modelStatus.state);
      }),
    );
    this.item.show();
  }

  private render(state: ModelViewState): void {
    const completions = this.ctx.config.completionEnabled ? "" : " $(circle-slash)";
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case "noModel":
        this.item.text = `$(hubot) ${vscode.l10n.t("No model")}${completions}`;
        this.item.tooltip = vscode.l10n.t("Private Coder: no model selected. Click to select a GGUF model.");
        this.item.command = COMMANDS.selectModel;
        break;
      case "idle":
      case "ready":
        this.item.text = `$(hubot) ${state.modelName}${completions}`;
        this.item.tooltip = [
          state.kind === "ready" ? vscode.l10n.t("Private Coder: {0} (loaded)", state.modelName) : vscode.l10n.t("Private Coder: {0} (loads on first use)", state.modelName),
          ...(state.kind === "ready" && state.details ? [state.details] : []),
          this.ctx.config.completionEnabled ? vscode.l10n.t("Inline completions on. Click to toggle.") : vscode.l10n.t("Inline completions off. Click to toggle."),
        ].join("\n");
        this.item.command = COMMANDS.toggleInlineCompletions;
        break;
      case "loading":
        this.item.text = `$(loading~spin) ${state.modelName} ${Math.round(state.progress * 100)}%`;
        this.item.tooltip = vscode.l10n.t("Private Coder: loading {0}", state.modelName);
        this.item.command = COMMANDS.showLogs;
        break;
      case "crashed":
      case "error":
        this.item.text = "$(error) Private Coder";
        this.item.tooltip = vscode.l10n.t("Private Coder: {0}\nClick to restart the engine.", state.message);
        this.item.command = COMMANDS.restartEngine;
        this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
        break;
    }
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
