/**
 * A second status-bar item for inline completion: idle / thinking / disabled / excluded file / no model / engine
 * down, the last latency, and, for a moment, why an explicit request (`Alt+\`) showed nothing.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../core/commandIds.ts";

export type CompletionStatusKind = "noModel" | "loading" | "idle" | "thinking" | "disabled" | "excluded" | "error";

/** How long the reason for an empty explicit request stays in the item. */
const FLASH_MS = 4000;

export class CompletionStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("privateCoder.completionStatus", vscode.StatusBarAlignment.Right, 99);
  private kindValue: CompletionStatusKind = "noModel";
  private latencyMs: number | undefined;
  private detail = "";
  private flashText: string | undefined;
  private flashTimer: NodeJS.Timeout | undefined;

  constructor() {
    this.item.name = vscode.l10n.t("Private Coder Completions");
    this.item.command = COMMANDS.toggleInlineCompletions;
    this.render();
    this.item.show();
  }

  get kind(): CompletionStatusKind {
    return this.kindValue;
  }

  get text(): string {
    return this.item.text;
  }

  set(kind: CompletionStatusKind, detail = ""): void {
    if (kind === this.kindValue && detail === this.detail) return;
    this.kindValue = kind;
    this.detail = detail;
    this.render();
  }

  /** Says for a moment why nothing was shown (the item then returns to its state). */
  flash(reason: string): void {
    this.flashText = reason;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => {
      this.flashText = undefined;
      this.render();
    }, FLASH_MS);
    this.render();
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.round(ms);
    this.render();
  }

  private render(): void {
    const latency = this.latencyMs === undefined ? "" : ` ${this.latencyMs} ms`;
    const last = this.latencyMs === undefined ? [] : [vscode.l10n.t("Last suggestion: {0} ms after the pause in typing.", this.latencyMs)];
    const detail = this.detail ? [this.detail] : [];
    switch (this.kindValue) {
      case "noModel":
        this.item.text = `$(code) ${vscode.l10n.t("no model")}`;
        this.item.tooltip = vscode.l10n.t("Private Coder completions: no completion model selected (Private Coder: Select Model…).");
        break;
      case "loading":
        this.item.text = `$(loading~spin) ${vscode.l10n.t("completions")}`;
        this.item.tooltip = vscode.l10n.t("Private Coder completions: loading the completion model.");
        break;
      case "idle":
        this.item.text = `$(code)${latency || ` ${vscode.l10n.t("ready")}`}`;
        this.item.tooltip = [vscode.l10n.t("Private Coder completions: on."), ...last, ...detail, vscode.l10n.t("Click to turn them off.")].join("\n");
        break;
      case "thinking":
        this.item.text = `$(loading~spin)${latency}`;
        this.item.tooltip = [vscode.l10n.t("Private Coder completions: thinking…"), ...last].join("\n");
        break;
      case "disabled":
        this.item.text = `$(code) ${vscode.l10n.t("off")}`;
        this.item.tooltip = this.detail
          ? vscode.l10n.t("Private Coder completions: off ({0}). Click to turn them on.", this.detail)
          : vscode.l10n.t("Private Coder completions: off. Click to turn them on.");
        break;
      case "excluded":
        this.item.text = `$(code) ${vscode.l10n.t("excluded")}`;
        this.item.tooltip = vscode.l10n.t("Private Coder completions: this file is excluded by the safety settings; nothing from it is sent to the model.");
        break;
      case "error":
        this.item.text = "$(code) $(warning)";
        this.item.tooltip = this.detail
          ? vscode.l10n.t("Private Coder completions: the completion model could not be loaded. {0}\nSee Private Coder: Show Logs.", this.detail)
          : vscode.l10n.t("Private Coder completions: the completion model could not be loaded. See Private Coder: Show Logs.");
        break;
    }
    if (this.flashText !== undefined) this.item.text = `$(info) ${this.flashText}`;
  }

  dispose(): void {
    clearTimeout(this.flashTimer);
    this.item.dispose();
  }
}
