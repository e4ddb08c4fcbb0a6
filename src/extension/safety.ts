import * as vscode from "vscode";
import { readFile, realpath } from "node:fs/promises";
import {
  PathExclusion,
  IGNORE_FILE_NAME,
  filterContext,
  describeFilteredText,
  BODY_SEPARATOR,
  OutputSanitizer,
  type Feature,
  type FilteredContext,
  type PathDecision,
  type SafetyFileSystem,
  type SafetyPolicy,
} from "../core/safety/index.ts";
import type { Ctx } from "./ctx.ts";

const nodeFileSystem: SafetyFileSystem = {
  realpath: (p) => realpath(p),
  readTextFile: async (p) => {
    try {
      return await readFile(p, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** The exact prompt one feature last sent to the model, kept in memory only, for "Show What the Model Sees". */
interface SentPrompt {
  readonly title: string;
  readonly text: string;
  readonly pieces: readonly FilteredContext[];
  readonly at: Date;
}

/** What one feature asks to send to the model. */
export interface SafetyFilterRequest {
  readonly feature: Feature;
  readonly text: string;
  /** The document the text comes from; its path decides exclusion. None for text the user typed into chat. */
  readonly uri?: vscode.Uri;
  readonly languageId?: string;
  /** Offset of the cursor in `text` (completion), so the caller can split the filtered text at it again. */
  readonly cursorOffset?: number;
  /** Budget for this text; the filter truncates (never rejects) beyond it. Default: the filter's own cap. */
  readonly budget?: SafetyPolicy["budget"];
}

/**
 * The one door between editor content and the model. Every feature (inline completion, chat, Explain Selection)
 * calls `filter()`; it applies the user's settings and each workspace folder's `.privatecoderignore`, and keeps the
 * last filtered prompt of each feature for "Show What the Model Sees". Nothing here logs text, only counts.
 */
export class SafetyService implements vscode.Disposable {
  private exclusion: PathExclusion;
  private readonly lastByFeature = new Map<Feature, SentPrompt>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<Feature>();
  /** Fires when a feature recorded a new filtered prompt. */
  readonly onDidRecord = this.changeEmitter.event;
  private readonly exclusionEmitter = new vscode.EventEmitter<void>();
  /** Fires when path decisions may have changed (an ignore file, the workspace folders, `safety.excludedPaths`). */
  readonly onDidChangeExclusion = this.exclusionEmitter.event;

  constructor(private readonly ctx: Ctx) {
    this.exclusion = this.createExclusion();
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${IGNORE_FILE_NAME}`);
    const invalidate = (uri: vscode.Uri) => {
      this.exclusion.invalidate(vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
      this.exclusionEmitter.fire();
    };
    const recreate = () => {
      this.exclusion = this.createExclusion();
      this.exclusionEmitter.fire();
    };
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(invalidate),
      watcher.onDidChange(invalidate),
      watcher.onDidDelete(invalidate),
      vscode.workspace.onDidChangeWorkspaceFolders(recreate),
      ctx.config.onDidChange((keys) => {
        if (keys.has("safety.excludedPaths")) recreate();
      }),
    );
  }

  private createExclusion(): PathExclusion {
    return new PathExclusion({
      fs: nodeFileSystem,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath),
      userPatterns: this.ctx.config.get("safety.excludedPaths"),
    });
  }

  /** The rules `filter` applies for one feature (the completion gate applies them itself). */
  policyFor(feature: Feature, budget?: SafetyPolicy["budget"]): SafetyPolicy {
    const config = this.ctx.config;
    return {
      exclusion: this.exclusion,
      sensitiveWords: [...config.get("safety.sensitiveWords")],
      sensitiveWordAction: config.get("safety.sensitiveWordAction"),
      ...(budget !== undefined ? { budget } : {}),
      truncationNotice: feature !== "completion",
    };
  }

  /** Whether a document may reach the model at all (no completion, no attachment, no extra context when not). */
  async isExcluded(uri: vscode.Uri): Promise<PathDecision> {
    return this.exclusion.check({ scheme: uri.scheme, path: uri.scheme === "file" ? uri.fsPath : uri.path });
  }

  /** Filters text for the model. Callers then send it, and record what they sent with `recordSent`. */
  async filter(input: SafetyFilterRequest): Promise<FilteredContext> {
    const result = await filterContext(
      {
        text: input.text,
        feature: input.feature,
        ...(input.uri ? { path: input.uri.scheme === "file" ? input.uri.fsPath : input.uri.path, scheme: input.uri.scheme } : {}),
        ...(input.languageId ? { languageId: input.languageId } : {}),
        ...(input.cursorOffset !== undefined ? { cursorOffset: input.cursorOffset } : {}),
      },
      this.policyFor(input.feature, input.budget),
    );
    this.logFiltered(input.feature, result);
    return result;
  }

  /** Logs what the filter did to one text, as counts only: what was redacted must never reach a log. */
  logFiltered(feature: Feature, result: FilteredContext): void {
    if (result.redactions.length > 0 || result.hiddenCharacters.length > 0 || result.excluded || result.blocked) {
      this.ctx.log.info(
        `Safety filter (${feature}): ${result.excluded ? "excluded by path" : result.blocked ? "blocked by a sensitive word" : `${result.redactions.length} secret(s) redacted, ${result.hiddenCharacters.length} hidden-character run(s)`}`,
      );
    }
  }

  /**
   * Records the exact prompt a feature sent (already filtered), with the filter results of its pieces, for
   * "Show What the Model Sees". Memory only: it is never written to disk or logged.
   */
  recordSent(feature: Feature, title: string, text: string, pieces: readonly FilteredContext[]): void {
    this.lastByFeature.set(feature, { title, text, pieces, at: new Date() });
    this.changeEmitter.fire(feature);
  }

  /** A streaming sanitizer for chat answers (an escape sequence may be split across chunks). */
  outputSanitizer(feature: Feature): OutputSanitizer {
    return new OutputSanitizer({ redactEmailsAndPhones: feature !== "completion" && this.ctx.config.get("safety.redactEmailsAndPhonesInChatOutput") });
  }

  /** The text of "Show What the Model Sees": the last filtered prompt of each feature, redactions marked. */
  describeLastPrompts(): string {
    const sections: string[] = [
      "# What the model sees: the exact text of the last request of each feature, after the safety filter.",
      "# Redacted secrets appear as <secret:rule#n>; nothing below left this machine.",
      "",
    ];
    for (const feature of ["completion", "chat", "explain"] as const) {
      const sent = this.lastByFeature.get(feature);
      sections.push(`# ===== ${feature} =====`);
      if (!sent) {
        sections.push("# (no request yet)", "");
        continue;
      }
      sections.push(`# ${sent.title} · sent at ${sent.at.toLocaleTimeString()}`);
      for (const piece of sent.pieces) {
        // The header of each filtered piece (redactions with rule and position, hidden characters, truncation).
        const header = describeFilteredText(piece, { commentPrefix: "#   " }).split(BODY_SEPARATOR)[0].trimEnd();
        if (piece.redactions.length > 0 || piece.hiddenCharacters.length > 0 || piece.truncated) sections.push(header);
      }
      sections.push(BODY_SEPARATOR, sent.text, "");
    }
    return sections.join("\n");
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changeEmitter.dispose();
    this.exclusionEmitter.dispose();
    this.lastByFeature.clear();
  }
}

const MODEL_SEES_SCHEME = "private-coder-model-sees";

/** A read-only document ("Show What the Model Sees") that refreshes when a feature sends a new prompt. */
export function registerModelSeesView(ctx: Ctx, safety: SafetyService): () => Promise<void> {
  const uri = vscode.Uri.from({ scheme: MODEL_SEES_SCHEME, path: "/What the Model Sees.txt" });
  const changed = new vscode.EventEmitter<vscode.Uri>();
  ctx.track(changed);
  ctx.track(
    vscode.workspace.registerTextDocumentContentProvider(MODEL_SEES_SCHEME, {
      onDidChange: changed.event,
      provideTextDocumentContent: () => safety.describeLastPrompts(),
    }),
  );
  ctx.track(safety.onDidRecord(() => changed.fire(uri)));
  return async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: false });
  };
}
