/**
 * Inline completion in the host: creates the safety seam, the pipeline, the provider (all languages, `file` and
 * `untitled`), the status item, the model loader and the recent-files index, and keeps them in step with the
 * settings, the workspace folders and the engine. Speculative prefetch after a suggestion is shown or accepted, and
 * after a pause the full prompt window is evaluated in the background (slow CPUs start with a small one).
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../core/commandIds.ts";
import type { SettingKey } from "../../core/settings.ts";
import type { Ctx } from "../ctx.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import type { ModelStatus } from "../modelStatus.ts";
import type { SafetyService } from "../safety.ts";
import { CompletionOutcomeCounter, CompletionPipeline, CompletionSafetyGate, GROW_AFTER_IDLE_MS, type PipelineDocument, type PipelineResult } from "../../core/completion/index.ts";
import { HostCompletionSafetyPolicy } from "./hostSafety.ts";
import { pipelineDocument } from "./documents.ts";
import { withInsertion } from "./insertedDocument.ts";
import { CompletionModelLoader } from "./modelLoader.ts";
import { ACCEPTED_COMMAND, InlineCompletionProvider } from "./provider.ts";
import { PrewarmScheduler } from "./prewarmScheduler.ts";
import { RecentFiles } from "./recentFiles.ts";
import { CompletionStatus } from "./completionStatus.ts";
import { withScriptedTexts } from "./scriptedTexts.ts";
import { describeError } from "../userMessages.ts";

const BUDGET_KEYS: readonly SettingKey[] = ["completion.maxPromptTokens", "completion.maxTokens", "completion.debounceMs", "engine.contextSize"];

export class CompletionService implements vscode.Disposable {
  readonly pipeline: CompletionPipeline;
  readonly provider: InlineCompletionProvider;
  readonly safety: CompletionSafetyGate;
  /** Counts of what became of the requests, kept from the pipeline's outcomes (the integration tests read them). */
  readonly stats: CompletionOutcomeCounter;
  readonly status = new CompletionStatus();
  readonly loader: CompletionModelLoader;
  private readonly recent: RecentFiles;
  /** Prewarms on focus and far jumps. */
  readonly prewarm: PrewarmScheduler;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly lastChange = new Map<string, { version: number; text: string }>();
  private prefetchTimer: ReturnType<typeof setTimeout> | undefined;
  private growTimer: ReturnType<typeof setTimeout> | undefined;
  private contextSize: number | undefined;

  constructor(
    private readonly ctx: Ctx,
    engine: BackendRegistry,
    private readonly modelStatus: ModelStatus,
    safetyService: SafetyService,
  ) {
    const config = ctx.config;
    // Everything completion sends goes through the host's one safety door (settings, every folder's ignore file);
    // the gate forgets its path decisions when that door reports a change, so no second watcher is needed here.
    this.safety = new CompletionSafetyGate(new HostCompletionSafetyPolicy(safetyService));
    this.recent = new RecentFiles(this.safety);
    this.loader = new CompletionModelLoader(
      ctx,
      engine,
      (info) => {
        this.contextSize = info.contextSize;
        this.pipeline.resetModel(info.speed, info.charsPerToken);
      },
      () => this.renderStatus(),
    );
    this.pipeline = new CompletionPipeline({
      engine: async (signal) => withScriptedTexts(await engine.backendFor("completion", signal)),
      safety: this.safety,
      modelReady: () => this.loader.ready,
      settings: () => ({
        salt: this.loader.configuredModel?.id ?? "",
        contextSize: this.contextSize,
        overrides: {
          debounceMs: config.get("completion.debounceMs") || undefined,
          maxPromptTokens: config.get("completion.maxPromptTokens") || undefined,
          maxTokens: config.get("completion.maxTokens") || undefined,
        },
      }),
      snippets: (doc) => this.recent.snippets(doc.languageId, doc.id),
      snippetLocation: (path) => this.recent.locationOf(path),
      log: (message) => ctx.log.debug(message),
    });
    this.stats = new CompletionOutcomeCounter(this.pipeline.onOutcome);
    this.prewarm = new PrewarmScheduler(this.pipeline, { ready: () => this.loader.ready, enabledFor: (l) => this.enabledFor(l), log: (m) => ctx.log.debug(m) });
    this.provider = new InlineCompletionProvider(this.pipeline, {
      enabledFor: (languageId) => this.enabledFor(languageId),
      debounceOverrideMs: () => config.get("completion.debounceMs") || undefined,
      alternatives: () => config.get("completion.alternatives"),
      modelNotReady: () => this.loader.kick(),
      modelReady: () => this.loader.ready,
      whenModelReady: (signal) => this.loader.whenReady(signal),
      lastInserted: (document) => {
        const change = this.lastChange.get(document.uri.toString());
        return change && change.version === document.version ? change.text : undefined;
      },
      thinking: (on) => this.renderStatus(on),
      shown: (result, document, position) => this.onShown(result, document, position),
      nothingShown: (result) => this.status.flash(whyNothing(result)),
      log: (message) => ctx.log.info(message),
    });

    this.subscriptions.push(
      vscode.languages.registerInlineCompletionItemProvider([{ scheme: "file" }, { scheme: "untitled" }], this.provider),
      vscode.commands.registerCommand(ACCEPTED_COMMAND, (uri: unknown) => this.onAccepted(typeof uri === "string" ? uri : undefined)),
      vscode.commands.registerCommand(COMMANDS.acceptNextWord, () => this.acceptPart("word")),
      vscode.commands.registerCommand(COMMANDS.acceptNextLine, () => this.acceptPart("line")),
      vscode.commands.registerCommand(COMMANDS.triggerInlineCompletion, () => vscode.commands.executeCommand("editor.action.inlineSuggest.trigger")),
      vscode.workspace.onDidChangeTextDocument((e) => {
        const change = e.contentChanges.length === 1 ? e.contentChanges[0].text : e.contentChanges.length === 0 ? undefined : "";
        if (change !== undefined) this.lastChange.set(e.document.uri.toString(), { version: e.document.version, text: change });
        if (e.contentChanges.length > 0) this.cancelScheduledPrefetch();
        if (e.contentChanges.length > 0 && e.document === vscode.window.activeTextEditor?.document) this.scheduleGrowth();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor !== vscode.window.activeTextEditor) return;
        this.scheduleGrowth();
        this.prewarm.onSelection(e.textEditor);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.lastChange.delete(d.uri.toString());
        this.prewarm.forget(d);
        this.pipeline.forgetDocument(d.uri.toString());
      }),
      config.onDidChange((keys) => {
        if (BUDGET_KEYS.some((k) => keys.has(k))) this.pipeline.refreshBudget();
        if (keys.has("completion.modelPath") || keys.has("chat.modelPath")) this.loader.reset();
        this.renderStatus();
      }),
      modelStatus.onDidChange((state) => {
        // After a restart, an unload or a crash the model reloads on the next keystroke.
        if (state.kind === "idle" || state.kind === "noModel" || state.kind === "crashed") this.loader.reset();
        this.renderStatus();
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        this.renderStatus();
        this.prewarm.onActiveEditor(editor);
        // The exclusion of a newly shown file is decided asynchronously; show it once known.
        if (editor) void this.safety.isExcluded(pipelineDocument(editor.document).location).then(() => this.renderStatus());
      }),
    );
    this.renderStatus();
  }

  /** Whether the active editor's file is known to be excluded by the safety settings. */
  private activeExcluded(): boolean {
    const document = vscode.window.activeTextEditor?.document;
    return document !== undefined && this.safety.knownExcluded(pipelineDocument(document).location) === true;
  }

  /** Global toggle and `completion.disabledLanguages`. */
  enabledFor(languageId: string): boolean {
    return this.ctx.config.completionEnabled && !this.ctx.config.get("completion.disabledLanguages").includes(languageId);
  }

  private renderStatus(thinking = false): void {
    const language = vscode.window.activeTextEditor?.document.languageId;
    if (!this.ctx.config.completionEnabled) this.status.set("disabled", vscode.l10n.t("turned off"));
    else if (language !== undefined && !this.enabledFor(language)) this.status.set("disabled", vscode.l10n.t("off for {0}", language));
    else if (!this.loader.configuredModel) this.status.set("noModel");
    else if (this.activeExcluded()) this.status.set("excluded");
    else if (this.modelStatus.state.kind === "crashed") this.status.set("error", this.modelStatus.state.message);
    else if (this.loader.failed) this.status.set("error", this.loader.failure === undefined ? "" : describeError(this.loader.failure, vscode.l10n));
    else if (this.loader.loading) this.status.set("loading");
    else if (thinking) this.status.set("thinking");
    else this.status.set("idle");
  }

  private onShown(result: PipelineResult, document: vscode.TextDocument, position: vscode.Position): void {
    if (result.source === "engine") this.status.setLatency(result.totalMs);
    // Prefetch what comes after the suggestion, once the user has had a moment to read it.
    this.cancelScheduledPrefetch();
    const text = result.items[0];
    if (!text || document.isClosed) return;
    const version = document.version;
    const delay = Math.max(100, this.pipeline.budget.debounceMs * 2);
    this.prefetchTimer = setTimeout(() => {
      this.prefetchTimer = undefined;
      if (document.isClosed || document.version !== version) return;
      const base = pipelineDocument(document);
      const next = withInsertion(base, { line: position.line, character: position.character }, text);
      const doc: PipelineDocument = { ...next.doc, id: base.id, location: base.location };
      void this.pipeline.prefetch(doc, next.cursor);
    }, delay);
  }

  private onAccepted(uri: string | undefined): void {
    const editor = vscode.window.activeTextEditor;
    if (!editor || (uri !== undefined && editor.document.uri.toString() !== uri)) return;
    this.cancelScheduledPrefetch();
    const document = editor.document;
    this.pipeline.noteAccepted("full", this.insertedLength(document));
    const active = editor.selection.active;
    // The accepted text is in the document now: prefetch the completion at the new cursor.
    setTimeout(() => {
      if (document.isClosed) return;
      void this.pipeline.prefetch(pipelineDocument(document), { line: active.line, character: active.character });
    }, 0);
  }

  /**
   * Ctrl+→ / Ctrl+↓ on a suggestion: VS Code's accept-next-word/line, then the `accepted` outcome with how much was
   * taken (the statistics count partial acceptance too; VS Code runs the item's command only for a full one).
   */
  private async acceptPart(by: "word" | "line"): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    const version = document?.version;
    await vscode.commands.executeCommand(by === "word" ? "editor.action.inlineSuggest.acceptNextWord" : "editor.action.inlineSuggest.acceptNextLine");
    if (!document || document.version === version) return;
    this.pipeline.noteAccepted(by, this.insertedLength(document));
  }

  /** Characters the last change of `document` inserted, when it is known to be its latest change. */
  private insertedLength(document: vscode.TextDocument): number | undefined {
    const change = this.lastChange.get(document.uri.toString());
    return change && change.version === document.version ? change.text.length : undefined;
  }

  /** (Re)starts the pause timer after which the full prompt is evaluated at the cursor (see GROW_AFTER_IDLE_MS). */
  private scheduleGrowth(): void {
    if (this.growTimer !== undefined) clearTimeout(this.growTimer);
    this.growTimer = undefined;
    const editor = vscode.window.activeTextEditor;
    if (!editor || !this.loader.ready) return;
    const document = editor.document;
    if ((document.uri.scheme !== "file" && document.uri.scheme !== "untitled") || !this.enabledFor(document.languageId)) return;
    const version = document.version;
    this.growTimer = setTimeout(() => {
      this.growTimer = undefined;
      const active = vscode.window.activeTextEditor;
      if (active?.document !== document || document.isClosed || document.version !== version || !this.loader.ready) return;
      if (this.pipeline.busy) return this.scheduleGrowth(); // a suggestion or its prefetch is running: after it
      if (!this.pipeline.canGrow(document.uri.toString())) return;
      const cursor = active.selection.active;
      void this.pipeline.prefetch(pipelineDocument(document), { line: cursor.line, character: cursor.character }, { grow: true });
    }, GROW_AFTER_IDLE_MS);
  }

  private cancelScheduledPrefetch(): void {
    if (this.prefetchTimer !== undefined) clearTimeout(this.prefetchTimer);
    this.prefetchTimer = undefined;
  }

  dispose(): void {
    this.cancelScheduledPrefetch();
    if (this.growTimer !== undefined) clearTimeout(this.growTimer);
    this.pipeline.cancelPrefetch();
    this.prewarm.dispose();
    for (const s of this.subscriptions) s.dispose();
    this.recent.dispose();
    this.status.dispose();
    this.stats.dispose();
    this.safety.dispose();
  }
}

/** Why an explicit request showed nothing, in a few words for the status item. */
function whyNothing(result: PipelineResult): string {
  switch (result.reason) {
    case "excluded":
      return vscode.l10n.t("excluded file: nothing sent");
    case "modelNotReady":
      return vscode.l10n.t("the model is not ready yet");
    case "disabled":
      return vscode.l10n.t("completions are off here");
    case "cancelled":
      return vscode.l10n.t("cancelled");
    default:
      if (result.source === "empty") return vscode.l10n.t("nothing useful generated");
      if (result.source === "error") return vscode.l10n.t("the model failed: see the logs");
      if (result.source === "refused") return vscode.l10n.t("blocked by the safety settings");
      return vscode.l10n.t("no suggestion here ({0})", result.reason ?? result.source);
  }
}
