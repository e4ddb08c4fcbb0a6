/**
 * What inline completion is doing (idle / thinking / disabled / excluded file / no model / engine down), the last
 * latency, and, for a moment, why an explicit request (`Alt+\`) showed nothing. A model, not a widget: the one
 * Private Coder status-bar item (`statusBar.ts`) draws it next to the engine's state.
 */
import * as vscode from "vscode";

export type CompletionStatusKind = "noModel" | "loading" | "idle" | "thinking" | "disabled" | "excluded" | "error";

/** How long the reason for an empty explicit request stays in the item. */
const FLASH_MS = 4000;

/** The completion part of the status-bar item: a short text with codicons, and tooltip lines. */
export interface CompletionStatusView {
  readonly text: string;
  readonly tooltip: readonly string[];
}

export class CompletionStatus implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private kindValue: CompletionStatusKind = "noModel";
  private latencyMs: number | undefined;
  private detail = "";
  private flashText: string | undefined;
  private flashTimer: NodeJS.Timeout | undefined;

  get kind(): CompletionStatusKind {
    return this.kindValue;
  }

  /** What the status-bar item shows for completion right now (tests read it). */
  get text(): string {
    return this.view().text;
  }

  set(kind: CompletionStatusKind, detail = ""): void {
    if (kind === this.kindValue && detail === this.detail) return;
    this.kindValue = kind;
    this.detail = detail;
    this.emitter.fire();
  }

  /** Says for a moment why nothing was shown (the item then returns to its state). */
  flash(reason: string): void {
    this.flashText = reason;
    clearTimeout(this.flashTimer);
    this.flashTimer = setTimeout(() => {
      this.flashText = undefined;
      this.emitter.fire();
    }, FLASH_MS);
    this.emitter.fire();
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.round(ms);
    this.emitter.fire();
  }

  view(): CompletionStatusView {
    const latency = this.latencyMs === undefined ? "" : ` ${this.latencyMs} ms`;
    const last = this.latencyMs === undefined ? [] : [vscode.l10n.t("Last suggestion: {0} ms after the pause in typing.", this.latencyMs)];
    const detail = this.detail ? [this.detail] : [];
    let view: CompletionStatusView;
    switch (this.kindValue) {
      case "noModel":
        view = { text: "", tooltip: [vscode.l10n.t("Completions: no completion model selected.")] };
        break;
      case "loading":
        view = { text: `$(loading~spin) ${vscode.l10n.t("completions")}`, tooltip: [vscode.l10n.t("Completions: loading the completion model.")] };
        break;
      case "idle":
        view = { text: `$(code)${latency || ` ${vscode.l10n.t("ready")}`}`, tooltip: [vscode.l10n.t("Completions: on."), ...last, ...detail] };
        break;
      case "thinking":
        view = { text: `$(loading~spin)${latency}`, tooltip: [vscode.l10n.t("Completions: thinking…"), ...last] };
        break;
      case "disabled":
        view = {
          text: "$(circle-slash)",
          tooltip: [this.detail ? vscode.l10n.t("Completions: off ({0}).", this.detail) : vscode.l10n.t("Completions: off.")],
        };
        break;
      case "excluded":
        view = {
          text: `$(eye-closed) ${vscode.l10n.t("excluded")}`,
          tooltip: [vscode.l10n.t("Completions: this file is excluded by the safety settings; nothing from it is sent to the model.")],
        };
        break;
      case "error":
        view = {
          text: "$(warning)",
          tooltip: [
            this.detail
              ? vscode.l10n.t("Completions: the completion model could not be loaded. {0}", this.detail)
              : vscode.l10n.t("Completions: the completion model could not be loaded. See Private Coder: Show Logs."),
          ],
        };
        break;
    }
    return this.flashText === undefined ? view : { text: `$(info) ${this.flashText}`, tooltip: view.tooltip };
  }

  dispose(): void {
    clearTimeout(this.flashTimer);
    this.emitter.dispose();
  }
}
