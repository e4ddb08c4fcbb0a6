/** A second status-bar item for inline completion: idle / thinking / disabled / no model, and the last latency. */
import * as vscode from "vscode";
import { COMMANDS } from "../../core/commandIds";

export type CompletionStatusKind = "noModel" | "loading" | "idle" | "thinking" | "disabled" | "error";

export class CompletionStatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("privateCoder.completionStatus", vscode.StatusBarAlignment.Right, 99);
  private kindValue: CompletionStatusKind = "noModel";
  private latencyMs: number | undefined;
  private detail = "";

  constructor() {
    this.item.name = "Private Coder Completions";
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

  setLatency(ms: number): void {
    this.latencyMs = Math.round(ms);
    this.render();
  }

  private render(): void {
    const latency = this.latencyMs === undefined ? "" : ` ${this.latencyMs} ms`;
    const last = this.latencyMs === undefined ? "" : `\nLast suggestion: ${this.latencyMs} ms after the pause in typing.`;
    switch (this.kindValue) {
      case "noModel":
        this.item.text = "$(code) no model";
        this.item.tooltip = "Private Coder completions: no completion model selected (Private Coder: Select Model…).";
        break;
      case "loading":
        this.item.text = "$(loading~spin) completions";
        this.item.tooltip = "Private Coder completions: loading the completion model.";
        break;
      case "idle":
        this.item.text = `$(code)${latency || " ready"}`;
        this.item.tooltip = `Private Coder completions: on.${last}${this.detail ? `\n${this.detail}` : ""}\nClick to turn them off.`;
        break;
      case "thinking":
        this.item.text = `$(loading~spin)${latency}`;
        this.item.tooltip = `Private Coder completions: thinking…${last}`;
        break;
      case "disabled":
        this.item.text = "$(code) off";
        this.item.tooltip = `Private Coder completions: off${this.detail ? ` (${this.detail})` : ""}. Click to turn them on.`;
        break;
      case "error":
        this.item.text = "$(code) $(warning)";
        this.item.tooltip = `Private Coder completions: ${this.detail || "the completion model could not be loaded"}. See Private Coder: Show Logs.`;
        break;
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
