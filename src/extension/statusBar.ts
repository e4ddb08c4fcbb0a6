import * as vscode from "vscode";
import type { ModelViewState } from "../core/chatProtocol.ts";
import { COMMANDS } from "../core/commandIds.ts";
import type { Event } from "../core/events.ts";
import type { CompletionStatus } from "./completion/completionStatus.ts";
import type { Ctx } from "./ctx.ts";
import type { ModelStatus } from "./modelStatus.ts";

/** What the one item listens to besides the chat model's state. */
export interface StatusBarSources {
  readonly completion: CompletionStatus;
  /** Each finished request with its speed: the item shows the last generation speed. */
  readonly onSpeed: Event<number>;
  /** Where each role runs; the item marks remote work, so the user always sees when code leaves the machine. */
  readonly location: (role: "completion" | "chat") => "local" | "remote";
  readonly onDidChangeLocation: Event<unknown>;
  /** True while a chat answer (or Explain / Edit Selection) streams: the item says "generating". */
  readonly onDidChangeGenerating: Event<boolean>;
}

/**
 * The one Private Coder status-bar item: the engine's state (no model, starting, loading n %, ready, generating,
 * crashed), the model, what inline completion is doing (thinking, off, excluded file, last latency), the last
 * generation speed, and "restarting" while Restart Engine runs. A click opens the Private Coder menu (`statusMenu.ts`), whatever the state.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("privateCoder.status", vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastTokensPerSecond: number | undefined;
  private busyText: string | undefined;
  private generating = false;

  constructor(
    ctx: Ctx,
    private readonly modelStatus: ModelStatus,
    private readonly sources: StatusBarSources,
  ) {
    this.item.name = "Private Coder";
    this.item.command = COMMANDS.showMenu;
    this.render();
    this.subscriptions.push(
      modelStatus.onDidChange(() => this.render()),
      sources.completion.onDidChange(() => this.render()),
      sources.onDidChangeLocation(() => this.render()),
      sources.onDidChangeGenerating((generating) => {
        this.generating = generating;
        this.render();
      }),
      sources.onSpeed((tokensPerSecond) => {
        this.lastTokensPerSecond = tokensPerSecond;
        this.render();
      }),
      ctx.config.onDidChange((keys) => {
        if (keys.has("completion.enabled")) this.render();
      }),
    );
    this.item.show();
  }

  /** The text the item shows (tests read it). */
  get text(): string {
    return this.item.text;
  }

  /** Shows a long-running action (e.g. "restarting…") until called with undefined. */
  setBusy(text: string | undefined): void {
    this.busyText = text;
    this.render();
  }

  private render(): void {
    const state = this.modelStatus.state;
    const completion = this.sources.completion.view();
    const speed = this.lastTokensPerSecond === undefined ? "" : ` · ${vscode.l10n.t("{0} t/s", Math.round(this.lastTokensPerSecond))}`;
    const tooltip: string[] = [];
    this.item.backgroundColor = undefined;
    if (this.busyText !== undefined) {
      this.item.text = `$(sync~spin) ${this.busyText}`;
      tooltip.push(vscode.l10n.t("Private Coder: {0}", this.busyText));
    } else {
      const remote = this.sources.location("completion") === "remote" || this.sources.location("chat") === "remote" ? "$(remote) " : "";
      const settled = state.kind === "ready" || state.kind === "idle";
      const engine = settled && this.generating ? `$(loading~spin) ${state.modelName} ${vscode.l10n.t("generating…")}` : engineText(state);
      this.item.text = `${remote}${engine}${completion.text ? ` ${completion.text}` : ""}${settled ? speed : ""}`;
      tooltip.push(...engineTooltip(state));
      if (settled && this.generating) tooltip.push(vscode.l10n.t("Chat is generating an answer."));
      if (state.kind === "crashed" || state.kind === "error") this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
    }
    tooltip.push(...completion.tooltip);
    tooltip.push(
      vscode.l10n.t(
        "Completion runs {0}; chat runs {1}.",
        this.sources.location("completion") === "remote" ? vscode.l10n.t("on a remote server") : vscode.l10n.t("on this machine"),
        this.sources.location("chat") === "remote" ? vscode.l10n.t("on a remote server") : vscode.l10n.t("on this machine"),
      ),
    );
    if (this.lastTokensPerSecond !== undefined) tooltip.push(vscode.l10n.t("Last generation: {0} tokens/s.", Math.round(this.lastTokensPerSecond)));
    tooltip.push("", vscode.l10n.t("Click for the Private Coder menu."));
    this.item.tooltip = tooltip.join("\n");
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}

function engineText(state: ModelViewState): string {
  switch (state.kind) {
    case "noModel":
      return `$(hubot) ${vscode.l10n.t("No model")}`;
    case "idle":
    case "ready":
      return `$(hubot) ${state.modelName}`;
    case "loading":
      return state.starting ? `$(loading~spin) ${vscode.l10n.t("Starting engine…")}` : `$(loading~spin) ${state.modelName} ${Math.round(state.progress * 100)}%`;
    case "crashed":
    case "error":
      return "$(error) Private Coder";
  }
}

function engineTooltip(state: ModelViewState): string[] {
  switch (state.kind) {
    case "noModel":
      return [vscode.l10n.t("Private Coder: no model selected.")];
    case "idle":
      return [vscode.l10n.t("Private Coder: {0} (loads on first use)", state.modelName)];
    case "ready":
      return [vscode.l10n.t("Private Coder: {0} (loaded)", state.modelName), ...(state.details ? [state.details] : [])];
    case "loading":
      return [state.starting ? vscode.l10n.t("Private Coder: starting the engine for {0}", state.modelName) : vscode.l10n.t("Private Coder: loading {0}", state.modelName)];
    case "crashed":
    case "error":
      return [vscode.l10n.t("Private Coder: {0}", state.message)];
  }
}
