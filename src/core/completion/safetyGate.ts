/**
 * THE seam between the editor and the completion model: every text inline completion sends (prefix, current line,
 * suffix, extra chunks from other files) passes through {@link CompletionSafetyGate.filterRequest} first, and a
 * document (or a source of extra context) whose path is excluded is refused by {@link CompletionSafetyGate.isExcluded}.
 * Audit this file to know what the completion model can see.
 *
 * The rules themselves come from a {@link CompletionSafetyPolicy}: the host's `SafetyService` in the editor (its
 * settings, its one `.privatecoderignore` watcher), a `PathExclusion` over a file system in the tests and the bench.
 * Model output goes through `postprocess`, whose first rule is the safety module's `sanitizeModelOutput`.
 */
import type { Disposable, Event } from "../events.ts";
import { filterContext, filterText, type FilteredContext, type SafetyPolicy } from "../safety/index.ts";
import type { PromptChunk } from "./context.ts";

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

export type FilterOutcome = { readonly ok: true; readonly prompt: PromptText; readonly redactions: number } | { readonly ok: false; readonly reason: string };

/** The prompt as it left for the model, for "Show What the Model Sees". */
export interface SentCompletionPrompt {
  readonly location: DocumentLocation;
  /** Extra chunks, then the cursor's document with a `<cursor>` mark. */
  readonly text: string;
  /** The filter result of every piece (chunks first), for the redaction report. */
  readonly pieces: readonly FilteredContext[];
}

/** What differs between the editor and the tests: where the rules come from and who hears about a sent prompt. */
export interface CompletionSafetyPolicy {
  /** The path rules' decision (settings, defaults, every folder's `.privatecoderignore`). */
  isExcluded(location: DocumentLocation): Promise<boolean>;
  /** The text rules (secrets, sensitive words); its `exclusion` also decides the paths of extra chunks. */
  policy(): SafetyPolicy;
  /** Fires when path decisions may have changed (settings, workspace folders, an ignore file): cached ones are dropped. */
  readonly onDidChange?: Event<void>;
  /** Each filter result, so the host can log counts (never text). */
  reportFiltered?(result: FilteredContext): void;
  recordSent?(prompt: SentCompletionPrompt): void;
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
 * Exclusion decisions per document location: a keystroke must not touch the disk, and callers that must not wait
 * (extra-context selection) need the answer synchronously once it is known.
 */
export class ExclusionDecisions {
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly settled = new Map<string, boolean>();

  /** The cached decision, or `decide()` once per location; an error refuses (cannot decide: exclude). */
  get(location: DocumentLocation, decide: () => Promise<boolean>): Promise<boolean> {
    if (location.path === undefined) return Promise.resolve(false);
    const key = `${location.scheme}:${location.path}`;
    let decision = this.pending.get(key);
    if (!decision) {
      decision = decide().then(
        (excluded) => excluded,
        () => true,
      );
      this.pending.set(key, decision);
      // A decision that settles after `clear()` was made under the old rules: it must not be kept as a new one.
      void decision.then((excluded) => {
        if (this.pending.get(key) === decision) this.settled.set(key, excluded);
      });
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

/** The one completion gate: production, the unit tests and the bench differ only in the policy they pass. */
export class CompletionSafetyGate implements Disposable {
  private readonly decisions = new ExclusionDecisions();
  private readonly subscription: Disposable | undefined;

  constructor(private readonly rules: CompletionSafetyPolicy) {
    this.subscription = rules.onDidChange?.(() => this.reset());
  }

  /** Forgets the cached path decisions (the rules changed). */
  reset(): void {
    this.decisions.clear();
  }

  /** Whether nothing from this document may reach the model. Cached per location: O(1) after the first call. */
  isExcluded(location: DocumentLocation): Promise<boolean> {
    return this.decisions.get(location, () => this.rules.isExcluded(location));
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
    // The context builder has already budgeted the parts in tokens: no truncation here.
    const policy: SafetyPolicy = { ...this.rules.policy(), budget: null };
    const { text, cursorOffset } = joinMain(prompt);
    // The path is checked above (cached); filterText applies the text rules without a second path check.
    const main = filterText({ text, feature: "completion", path: location.path, scheme: location.scheme, cursorOffset }, policy);
    this.rules.reportFiltered?.(main);
    if (main.blocked) return { ok: false, reason: "blocked" };
    const pieces: FilteredContext[] = [];
    const extra: PromptChunk[] = [];
    let redactions = main.redactions.length;
    for (let i = 0; i < prompt.extraContext.length; i++) {
      const chunk = prompt.extraContext[i];
      const source = chunkLocations[i];
      const filtered = await filterContext({ text: chunk.text, feature: "completion", path: source?.path, scheme: source?.scheme }, policy);
      this.rules.reportFiltered?.(filtered);
      if (filtered.excluded) continue;
      if (filtered.blocked) return { ok: false, reason: "blocked" };
      redactions += filtered.redactions.length;
      pieces.push(filtered);
      extra.push(chunk.path === undefined ? { text: filtered.text } : { path: chunk.path, text: filtered.text });
    }
    pieces.push(main);
    const parts = splitMain(main.text, main.cursorOffset, prompt.prefix.length > 0);
    if (this.rules.recordSent) {
      const shown = [...extra.map((c) => c.text), `${parts.prefix}${parts.currentLinePrefix}<cursor>${parts.suffix}`].join("\n");
      this.rules.recordSent({ location, text: shown, pieces });
    }
    return { ok: true, prompt: { ...parts, extraContext: extra }, redactions };
  }

  dispose(): void {
    this.subscription?.dispose();
  }
}
