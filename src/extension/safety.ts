import * as vscode from "vscode";
import { readFile, realpath } from "node:fs/promises";
import {
  PathExclusion,
  IGNORE_FILE_NAME,
  filterContext,
  describeFilteredText,
  OutputSanitizer,
  type DescribeTexts,
  type Feature,
  type FilteredContext,
  type PathDecision,
  type SafetyFileSystem,
  type SafetyPolicy,
} from "../core/safety/index.ts";
import type { Ctx } from "./ctx.ts";
import { describeExclusion } from "./userMessages.ts";

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
    const texts = localizedDescribeTexts();
    const sections: string[] = [
      `# ${vscode.l10n.t("What the model sees: the exact text of the last request of each feature, after the safety filter.")}`,
      `# ${vscode.l10n.t("Redacted secrets appear as <secret:rule#n>; nothing below left this machine.")}`,
      "",
    ];
    for (const feature of ["completion", "chat", "explain"] as const) {
      const sent = this.lastByFeature.get(feature);
      // The section markers keep the feature's id (tests and users search for them); the name follows.
      const name = featureName(feature);
      sections.push(`# ===== ${feature} =====${name === feature ? "" : ` ${name}`}`);
      if (!sent) {
        sections.push(`# ${vscode.l10n.t("(no request yet)")}`, "");
        continue;
      }
      sections.push(`# ${vscode.l10n.t("{0} · sent at {1}", sent.title, sent.at.toLocaleTimeString(vscode.env.language))}`);
      for (const piece of sent.pieces) {
        // The header of each filtered piece (redactions with rule and position, hidden characters, truncation).
        const header = describeFilteredText(piece, { commentPrefix: "#   ", texts }).split(texts.separator)[0].trimEnd();
        if (piece.redactions.length > 0 || piece.hiddenCharacters.length > 0 || piece.truncated) sections.push(header);
      }
      sections.push(texts.separator, sent.text, "");
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

/** A feature's name as the user knows it. */
function featureName(feature: Feature): string {
  switch (feature) {
    case "completion":
      return vscode.l10n.t("inline completion");
    case "chat":
      return vscode.l10n.t("chat");
    case "explain":
      return vscode.l10n.t("Explain Selection");
  }
}

/** The header of a filtered text ("what the model sees") in the UI language. */
export function localizedDescribeTexts(): DescribeTexts {
  const hiddenKind = { "bidi-control": vscode.l10n.t("bidirectional control"), "zero-width": vscode.l10n.t("zero-width"), tag: vscode.l10n.t("tag character") };
  const hiddenAction = { removed: vscode.l10n.t("removed"), escaped: vscode.l10n.t("escaped") };
  return {
    feature: (feature, source) =>
      source
        ? vscode.l10n.t("feature: {0} · source: {1}", featureName(feature as Feature), source)
        : vscode.l10n.t("feature: {0}", featureName(feature as Feature)),
    excluded: (_reason, result) => {
      const why = describeExclusion(result, vscode.l10n);
      return why ? vscode.l10n.t("EXCLUDED: {0}. Nothing from this file is sent.", why) : vscode.l10n.t("EXCLUDED by path. Nothing from this file is sent.");
    },
    blocked: () => vscode.l10n.t("BLOCKED: the text contains a word from `privateCoder.safety.sensitiveWords`. Nothing is sent."),
    noRedactions: vscode.l10n.t("redactions: none"),
    redactions: (count) => vscode.l10n.t("redactions: {0}", count),
    redaction: (placeholder, ruleId, line, column) => vscode.l10n.t("{0}  {1} at line {2}, column {3}", placeholder, ruleId, line, column),
    hiddenCharacters: (runs) => vscode.l10n.t("hidden characters: {0} run(s)", runs),
    hiddenCharacterRun: (h) =>
      vscode.l10n.t("{0} {1} {2} at line {3}, column {4}", hiddenKind[h.kind], h.count > 1 ? `${h.codePoint} ×${h.count}` : h.codePoint, hiddenAction[h.action], h.line, h.column),
    moreHiddenCharacterRuns: (runs) => vscode.l10n.t("… and {0} more run(s), also handled", runs),
    truncated: (kept, original) => vscode.l10n.t("truncated: kept {0} of {1} characters", kept, original),
    separator: vscode.l10n.t("──────── exact text sent to the model below this line ────────"),
  };
}

const MODEL_SEES_SCHEME = "private-coder-model-sees";

/** A read-only document ("Show What the Model Sees") that refreshes when a feature sends a new prompt. */
export function registerModelSeesView(ctx: Ctx, safety: SafetyService): () => Promise<void> {
  const uri = vscode.Uri.from({ scheme: MODEL_SEES_SCHEME, path: `/${vscode.l10n.t("What the Model Sees")}.txt` });
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
