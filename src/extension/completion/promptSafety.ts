/**
 * THE seam between the editor and the completion model: every text inline completion sends (prefix, current line,
 * suffix, extra chunks from other files) passes through {@link PromptSafety.filterRequest} first, and a document
 * (or a source of extra context) whose path is excluded is refused by {@link PromptSafety.isExcluded}. Audit this
 * file to know what the completion model can see. No `vscode` import: the bench drives it outside the editor.
 *
 * Model output goes through `postprocess` (src/core/completion), whose first rule is the safety module's
 * `sanitizeModelOutput`.
 */
import { filterContext, filterText, PathExclusion, type SafetyFileSystem, type SafetyPolicy, type SensitiveWordAction } from "../../core/safety/index.ts";
import type { PromptChunk } from "../../core/completion/index.ts";

/** Where a document lives, as the safety filter matches it. */
export interface DocumentLocation {
  /** URI scheme (`file`, `untitled`, …). */
  readonly scheme: string;
  /** File-system path for `file`, the URI path otherwise; undefined for untitled buffers. */
  readonly path: string | undefined;
}

/** The text parts of an engine `complete` request. */
export interface PromptText {
  readonly prefix: string;
  readonly currentLinePrefix: string;
  readonly suffix: string;
  readonly extraContext: readonly PromptChunk[];
}

export interface PromptSafetySettings {
  readonly excludedPaths: readonly string[];
  readonly sensitiveWords: readonly string[];
  readonly sensitiveWordAction: SensitiveWordAction;
  /** Absolute paths of every workspace folder (multi-root: all of them; `.privatecoderignore` is read per folder). */
  readonly workspaceFolders: readonly string[];
}

export type FilterOutcome = { readonly ok: true; readonly prompt: PromptText; readonly redactions: number } | { readonly ok: false; readonly reason: string };

/** What the pipeline needs from the safety filter (the host adapts `SafetyService`; the bench uses {@link PromptSafety}). */
export interface CompletionSafetyGate {
  isExcluded(location: DocumentLocation): Promise<boolean>;
  knownExcluded(location: DocumentLocation): boolean | undefined;
  filterRequest(location: DocumentLocation, prompt: PromptText, chunkLocations?: readonly (DocumentLocation | undefined)[]): Promise<FilterOutcome>;
  reset(): void;
}

/** Joins the three main parts for one filter call (a secret split by the cursor is seen whole). */
export function joinMain(prompt: PromptText): { text: string; cursorOffset: number } {
  return { text: `${prompt.prefix}${prompt.currentLinePrefix}${prompt.suffix}`, cursorOffset: prompt.prefix.length + prompt.currentLinePrefix.length };
}

/** Splits filtered main text again at the mapped cursor and the last line break before it. */
export function splitMain(filteredText: string, cursorOffset: number | undefined, hadPrefix: boolean): Pick<PromptText, "prefix" | "currentLinePrefix" | "suffix"> {
  const cursor = cursorOffset ?? filteredText.length;
  const before = filteredText.slice(0, cursor);
  const lineStart = hadPrefix ? before.lastIndexOf("\n") + 1 : 0;
  return { prefix: before.slice(0, lineStart), currentLinePrefix: before.slice(lineStart), suffix: filteredText.slice(cursor) };
}

/**
 * Exclusion decisions per document location, shared by both gates: a keystroke must not touch the disk, and callers
 * that must not wait (extra-context selection) need the answer synchronously once it is known.
 */
export class ExclusionDecisions {
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly settled = new Map<string, boolean>();

  /** The cached decision, or `decide(path)` once per location; an error refuses (cannot decide: exclude). */
  get(location: DocumentLocation, decide: (path: string) => Promise<boolean>): Promise<boolean> {
    if (location.path === undefined) return Promise.resolve(false);
    const key = `${location.scheme}:${location.path}`;
    let decision = this.pending.get(key);
    if (!decision) {
      decision = decide(location.path).then(
        (excluded) => excluded,
        () => true,
      );
      this.pending.set(key, decision);
      void decision.then((excluded) => this.settled.set(key, excluded));
    }
    return decision;
  }

  /** The decision if already known (synchronous); `false` for untitled buffers, undefined when not decided yet. */
  known(location: DocumentLocation): boolean | undefined {
    if (location.path === undefined) return false;
    return this.settled.get(`${location.scheme}:${location.path}`);
  }

  clear(): void {
    this.pending.clear();
    this.settled.clear();
  }
}

/** The gate on the safety core directly (no editor): the bench and the unit tests. */
export class PromptSafety implements CompletionSafetyGate {
  private exclusion: PathExclusion | undefined;
  /** Cleared when the settings or an ignore file change. */
  private readonly decisions = new ExclusionDecisions();

  constructor(
    private readonly fs: SafetyFileSystem,
    private readonly settings: () => PromptSafetySettings,
  ) {}

  /** Forget path decisions and rebuild the exclusion (settings, workspace folders or a `.privatecoderignore` changed). */
  reset(): void {
    this.exclusion = undefined;
    this.decisions.clear();
  }

  private policy(): SafetyPolicy {
    const s = this.settings();
    this.exclusion ??= new PathExclusion({ fs: this.fs, userPatterns: s.excludedPaths, workspaceFolders: s.workspaceFolders });
    // The prompt parts are already budgeted in tokens by the context builder: no truncation here.
    return { exclusion: this.exclusion, sensitiveWords: s.sensitiveWords, sensitiveWordAction: s.sensitiveWordAction, budget: null };
  }

  /** Whether nothing from this document may reach the model. Cached per location: O(1) after the first call. */
  isExcluded(location: DocumentLocation): Promise<boolean> {
    return this.decisions.get(location, async (path) => (await this.policy().exclusion!.check({ scheme: location.scheme, path })).excluded);
  }

  /** The decision if already known (synchronous), for callers that must not wait (extra-context selection). */
  knownExcluded(location: DocumentLocation): boolean | undefined {
    return this.decisions.known(location);
  }

  /**
   * Filters a request's text. The prefix, current line and suffix are filtered as one text (a secret split by the
   * cursor is still seen whole), then split again at the mapped cursor and the last line break before it. Each
   * extra chunk is filtered on its own, with its source's path. Refuses when the document is excluded or a
   * sensitive word blocks the request.
   */
  async filterRequest(location: DocumentLocation, prompt: PromptText, chunkLocations: readonly (DocumentLocation | undefined)[] = []): Promise<FilterOutcome> {
    if (await this.isExcluded(location)) return { ok: false, reason: "excluded" };
    const policy = this.policy();
    const { text, cursorOffset } = joinMain(prompt);
    // The path is checked above (cached); filterText does the text rules without a second path check.
    const main = filterText({ text, feature: "completion", path: location.path, scheme: location.scheme, cursorOffset }, policy);
    if (main.blocked) return { ok: false, reason: "blocked" };
    let redactions = main.redactions.length;
    const extra: PromptChunk[] = [];
    for (let i = 0; i < prompt.extraContext.length; i++) {
      const chunk = prompt.extraContext[i];
      const loc = chunkLocations[i];
      const filtered = await filterContext({ text: chunk.text, feature: "completion", path: loc?.path, scheme: loc?.scheme }, policy);
      if (filtered.excluded) continue;
      if (filtered.blocked) return { ok: false, reason: "blocked" };
      redactions += filtered.redactions.length;
      extra.push(chunk.path === undefined ? { text: filtered.text } : { path: chunk.path, text: filtered.text });
    }
    return {
      ok: true,
      prompt: { ...splitMain(main.text, main.cursorOffset, prompt.prefix.length > 0), extraContext: extra },
      redactions,
    };
  }
}
