/**
 * When to prewarm (see src/core/completion/prewarm.ts): shortly after a file is opened or focused, or after the cursor
 * jumped far in it. Only one prewarm at a time: switching to another file or place aborts the previous one, so the
 * engine stops working for a place the user has left.
 */
import * as vscode from "vscode";
import type { CompletionPipeline, PrewarmReport } from "../../core/completion/index.ts";
import { pipelineDocument } from "./documents.ts";

/** Wait after a focus or jump: a file flicked through is not worth evaluating. */
const PREWARM_DELAY_MS = 250;
/** A cursor move of more lines than this leaves the prompt window: the new place is cold. */
const FAR_JUMP_LINES = 40;

export interface PrewarmSchedulerOptions {
  /** The completion model is loaded (a prewarm never starts a load). */
  readonly ready: () => boolean;
  readonly enabledFor: (languageId: string) => boolean;
  /** Debug log line (metadata only). */
  readonly log: (message: string) => void;
}

export class PrewarmScheduler implements vscode.Disposable {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: AbortController | undefined;
  /** What the last prewarm did (the integration tests read it; metadata only). */
  lastReport: PrewarmReport | undefined;
  /** The cursor line last seen per document, to tell a far jump from a step. */
  private readonly lastLine = new Map<string, number>();

  constructor(
    private readonly pipeline: CompletionPipeline,
    private readonly options: PrewarmSchedulerOptions,
  ) {}

  /** A file was opened or focused (or nothing is focused any more). */
  onActiveEditor(editor: vscode.TextEditor | undefined): void {
    this.stop();
    if (editor) this.schedule(editor);
  }

  /** The selection moved in the active editor: a far jump makes the new place worth warming. */
  onSelection(editor: vscode.TextEditor): void {
    const id = editor.document.uri.toString();
    const line = editor.selection.active.line;
    const last = this.lastLine.get(id);
    this.lastLine.set(id, line);
    if (last !== undefined && Math.abs(line - last) > FAR_JUMP_LINES) {
      this.stop();
      this.schedule(editor);
    }
  }

  forget(document: vscode.TextDocument): void {
    this.lastLine.delete(document.uri.toString());
  }

  private schedule(editor: vscode.TextEditor): void {
    const document = editor.document;
    if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled") return;
    if (!this.options.ready() || !this.options.enabledFor(document.languageId)) return;
    this.lastLine.set(document.uri.toString(), editor.selection.active.line);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (vscode.window.activeTextEditor !== editor || document.isClosed) return;
      const controller = new AbortController();
      this.running = controller;
      const cursor = editor.selection.active;
      void this.pipeline.prewarm(pipelineDocument(document), { line: cursor.line, character: cursor.character }, controller.signal).then((report) => {
        if (this.running === controller) this.running = undefined;
        this.lastReport = report;
        const o = report.outcome;
        this.options.log(`completion: prewarm ${report.result}` + (o ? ` (${o.evaluatedTokens} evaluated, ${o.reusedTokens} reused of ${o.promptTokens}${o.yieldedTo ? `, yielded to ${o.yieldedTo}` : ""})` : ""));
      });
    }, PREWARM_DELAY_MS);
  }

  /** Cancels the scheduled prewarm and aborts the running one (the user moved on). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.running?.abort();
    this.running = undefined;
  }

  dispose(): void {
    this.stop();
    this.lastLine.clear();
  }
}
