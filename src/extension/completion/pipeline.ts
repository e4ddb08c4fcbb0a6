/**
 * One keystroke's way from the editor to ghost text, without `vscode` (the provider adapts the editor to it, the
 * bench drives it directly): trigger decision → typing-through → context → extra chunks → request fields → result
 * cache → safety seam → engine → speed tracking → post-processing → remembered for typing-through.
 *
 * At most one engine request is in flight: a new one aborts the previous (the engine also supersedes it), and a
 * speculative prefetch is aborted by any user request.
 */
import {
  BUDGET_DEFAULTS,
  buildCompletionContext,
  charRatioCounter,
  completionRequestFields,
  CompletionCache,
  deriveBudget,
  postprocess,
  selectExtraContext,
  shouldRequest,
  SpeedTracker,
  type BudgetOverrides,
  type CompletionBudget,
  type CompletionMode,
  type CursorPosition,
  type DocumentSnapshot,
  type ExtraChunk,
  type Snippet,
  type SpeedSample,
  type TokenCounter,
} from "../../core/completion/index.ts";
import type { CompletionResult as CompleteResult, CompletionRequest } from "../../core/backend/index.ts";
import type { CompletionSafetyGate, DocumentLocation } from "./promptSafety.ts";

/** What the pipeline needs from the engine: `InferenceBackend.complete`. */
export interface CompletionEngine {
  complete(request: CompletionRequest, options: { signal?: AbortSignal }): Promise<CompleteResult>;
}

/** A document as the pipeline sees it: lines on demand plus identity and location. */
export interface PipelineDocument extends DocumentSnapshot {
  /** URI string. */
  readonly id: string;
  readonly location: DocumentLocation;
}

export interface PipelineRequest {
  readonly doc: PipelineDocument;
  readonly cursor: CursorPosition;
  /** The user asked (command or keybinding). */
  readonly explicit: boolean;
  readonly lastInserted?: string;
  readonly hasSelection?: boolean;
  /** Inline completion is enabled for this document's language. */
  readonly enabled: boolean;
  readonly signal?: AbortSignal;
  /** Called after the memory paths missed, before the engine: the debounce. False: give up (typing went on). */
  readonly beforeEngine?: () => Promise<boolean>;
  /** Alternatives wanted (explicit requests may ask for 2: the second is sampled). Default 1. */
  readonly alternatives?: number;
}

export type ResultSource = "typeThrough" | "cache" | "engine" | "declined" | "cancelled" | "empty" | "refused" | "error";

export interface PipelineResult {
  /** Texts to insert at the cursor (post-processed); empty when nothing is shown. */
  readonly items: readonly string[];
  readonly source: ResultSource;
  /** Why nothing was requested (trigger reason, `excluded`, `blocked`, an error code). */
  readonly reason?: string;
  /** Time spent in this call. */
  readonly totalMs: number;
  /** Time spent waiting for the engine (and for the debounce hook). */
  readonly engineMs: number;
  readonly debounceMs: number;
  readonly metrics?: CompleteResult["metrics"];
  readonly mode?: CompletionMode;
}

export interface PipelineStats {
  /** Requests handed to the engine (user and prefetch). */
  engineRequests: number;
  prefetchRequests: number;
  /** Prefetches that grew the prompt to its full size after a pause (part of `prefetchRequests`). */
  growRequests: number;
  /** Engine requests that ended cancelled or superseded. */
  cancelled: number;
  typeThroughHits: number;
  cacheHits: number;
  /** Answers shown (any source). */
  shown: number;
  declined: Record<string, number>;
  lastLatencyMs: number | undefined;
}

export interface PipelineSettings {
  readonly overrides: BudgetOverrides;
  /** Salt of the cache key: what else changes the answer (the model path). */
  readonly salt: string;
  readonly contextSize?: number;
}

export interface PipelineOptions {
  readonly engine: (signal: AbortSignal) => Promise<CompletionEngine>;
  readonly safety: CompletionSafetyGate;
  readonly settings: () => PipelineSettings;
  /** Whether the completion model is loaded and may take a request. */
  readonly modelReady: () => boolean;
  /** Snippets of recent same-language files (never the document itself, never excluded ones). */
  readonly snippets?: (doc: PipelineDocument) => readonly Snippet[];
  /** Where a snippet's file lives (by its `Snippet.path`), so the safety seam checks the chunk's path too. */
  readonly snippetLocation?: (path: string) => DocumentLocation | undefined;
  /** Log line (metadata only, never code). */
  readonly log?: (message: string) => void;
  readonly now?: () => number;
}

/** Longest expected prefill for a prefetch on a cold engine cache. */
const PREFETCH_MAX_COLD_MS = 2500;

/**
 * Longest expected prefill for a growth prefetch (the user paused): the full prompt is derived to fit
 * `backgroundPrefillMs` (6 s), with room for the estimate's error.
 */
const GROW_MAX_COLD_MS = BUDGET_DEFAULTS.backgroundPrefillMs * 1.5;

/**
 * A pause this long (no edit, no cursor move) lets a slow CPU evaluate the full prompt window in the background
 * (`prefetch` with `grow`), so the suggestions that follow at this place see the whole window, not the small one a
 * cold request can afford. Typing aborts it. The host's CompletionService and the bench use it.
 */
export const GROW_AFTER_IDLE_MS = 2000;

/** Options of {@link CompletionPipeline.prefetch}. */
export interface PrefetchOptions {
  /**
   * The user has paused: evaluate the full prompt even where that takes seconds (a slow CPU), so the requests that
   * follow here are warm with the whole window instead of the small cold one. A keystroke aborts it; the next
   * request is then cold once. Default false: only a prompt that is warm or quick to evaluate.
   */
  readonly grow?: boolean;
}

/** Sampling temperature of the alternatives after the first (greedy) one: different, still plausible code. */
const ALTERNATIVE_TEMPERATURE = 0.7;

/** Share of the prompt reserved for extra chunks; constant, so the prefix start never moves with them. */
const EXTRA_SHARE = 0.15;

/** The engine's cancellation codes: a newer request, an abort. */
function isCancellation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "cancelled" || code === "superseded";
}

interface WarmState {
  readonly docId: string;
  readonly prefixStartLine: number;
  readonly extraIds: string;
  readonly maxPromptTokens: number;
}

export class CompletionPipeline {
  readonly cache = new CompletionCache();
  readonly stats: PipelineStats = { engineRequests: 0, prefetchRequests: 0, growRequests: 0, cancelled: 0, typeThroughHits: 0, cacheHits: 0, shown: 0, declined: {}, lastLatencyMs: undefined };
  private speed = new SpeedTracker();
  private budgetValue: CompletionBudget;
  private countTokens: TokenCounter = charRatioCounter();
  private inFlight: { controller: AbortController; prefetch: boolean } | undefined;
  /** Counts user requests: a prefetch that started before the latest one gives way instead of reaching the engine. */
  private userRequests = 0;
  /** What the engine's sequence holds now (the last prompt it evaluated), to tell a warm request from a cold one. */
  private warm: WarmState | undefined;
  private lastExtraIds: string[] = [];
  /** Suggestions shown lately, with where: the same text at another place is a repeat post-processing drops. */
  private readonly recentShown: { readonly at: string; readonly text: string }[] = [];
  private readonly now: () => number;

  constructor(private readonly options: PipelineOptions) {
    this.now = options.now ?? (() => performance.now());
    this.budgetValue = this.derive();
  }

  get budget(): CompletionBudget {
    return this.budgetValue;
  }

  get speedSample(): SpeedSample {
    return this.speed.current;
  }

  /** Whether an engine request (user or prefetch) is running. */
  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  /** A new model: speeds measured at load (or the fallback), tokens calibrated against its tokenizer. */
  resetModel(speed?: SpeedSample, charsPerToken?: number): void {
    this.speed = new SpeedTracker(speed);
    this.countTokens = charRatioCounter(charsPerToken);
    this.cache.clear();
    this.warm = undefined;
    this.budgetValue = this.derive();
  }

  /** Settings changed: re-derive the budget (a user override wins). */
  refreshBudget(): void {
    this.budgetValue = this.derive(this.budgetValue);
  }

  private derive(previous?: CompletionBudget): CompletionBudget {
    const s = this.options.settings();
    return deriveBudget(this.speed.current, { overrides: s.overrides, contextSize: s.contextSize, previous });
  }

  /** Aborts a running speculative prefetch (a user request pre-empts it). */
  cancelPrefetch(): void {
    if (this.inFlight?.prefetch) this.inFlight.controller.abort();
  }

  /**
   * Suggestions an explicit request should ask for. `setting` is `completion.alternatives` (0: decide here): a second,
   * sampled one where generation is cheap, or where the last suggestion was shown at this very place (the user
   * pressed Alt+] on it: the first comes from the cache, so only the alternative costs time, even on a slow CPU).
   */
  alternativesFor(docId: string, cursor: CursorPosition, setting: number): number {
    if (setting > 0) return setting;
    const shownHere = this.recentShown.at(-1)?.at === `${docId}:${cursor.line}:${cursor.character}`;
    return this.budgetValue.expectedWarmMs < 1000 || shownHere ? 2 : 1;
  }

  /** A suggestion was accepted: it is no longer a rejected repeat. */
  noteAccepted(): void {
    this.recentShown.length = 0;
  }

  /** Forgets a closed document. */
  forgetDocument(id: string): void {
    this.cache.forgetDocument(id);
    if (this.warm?.docId === id) this.warm = undefined;
  }

  private decline(reason: string, started: number, source: ResultSource = "declined"): PipelineResult {
    this.stats.declined[reason] = (this.stats.declined[reason] ?? 0) + 1;
    return { items: [], source, reason, totalMs: this.now() - started, engineMs: 0, debounceMs: 0 };
  }

  /** Runs the pipeline for one keystroke (or an explicit request). Never throws: errors become an empty result. */
  async run(req: PipelineRequest): Promise<PipelineResult> {
    return this.runInternal(req, false);
  }

  /**
   * Speculative prefetch: the completion at `cursor` of `doc` (typically the document with the shown suggestion
   * inserted), evaluated at low priority so the result waits in the cache. Skipped when a request is running.
   */
  async prefetch(doc: PipelineDocument, cursor: CursorPosition, options: PrefetchOptions = {}): Promise<PipelineResult> {
    if (this.inFlight) return { items: [], source: "declined", reason: "busy", totalMs: 0, engineMs: 0, debounceMs: 0 };
    return this.runInternal({ doc, cursor, explicit: false, enabled: true }, true, options.grow === true);
  }

  /** Whether the engine's cache holds a prompt of less than the full size for this document (a pause may grow it). */
  canGrow(docId: string): boolean {
    return this.warm === undefined || this.warm.docId !== docId || this.warm.maxPromptTokens < this.budgetValue.maxPromptTokens;
  }

  private async runInternal(req: PipelineRequest, prefetch: boolean, grow = false): Promise<PipelineResult> {
    const started = this.now();
    const { doc, cursor } = req;
    if (!prefetch) {
      this.userRequests++;
      this.cancelPrefetch();
    }
    const userRequestsAtStart = this.userRequests;
    if (req.signal?.aborted) return this.decline("cancelled", started, "cancelled");

    const excluded = await this.options.safety.isExcluded(doc.location);
    // Typing-through: the user types what the suggestion on screen says; the rest comes from memory (no model,
    // so no readiness or typing heuristics to check). Not when alternatives are asked for: memory holds only one.
    const wanted = prefetch ? 1 : Math.max(1, req.alternatives ?? 1);
    if (!prefetch && !excluded && req.enabled && wanted === 1) {
      const hit = this.cache.typeThrough(doc.id, doc, cursor);
      if (hit) {
        this.stats.typeThroughHits++;
        this.stats.shown++;
        return { items: [hit.text], source: "typeThrough", totalMs: this.now() - started, engineMs: 0, debounceMs: 0 };
      }
    }
    const lineText = cursor.line < doc.lineCount ? doc.lineAt(cursor.line) : "";
    const decision = shouldRequest({
      linePrefix: lineText.slice(0, cursor.character),
      lineSuffix: lineText.slice(cursor.character),
      languageId: doc.languageId,
      explicit: req.explicit,
      excluded,
      modelReady: this.options.modelReady(),
      enabled: req.enabled,
      lastInserted: req.lastInserted,
      hasSelection: req.hasSelection,
    });
    if (!decision.request) return this.decline(decision.reason, started);
    const mode = decision.mode;

    // Context: the full prompt when the engine's cache holds its start (only the typed tokens are evaluated),
    // a smaller one when it would be evaluated from scratch (the first request in a file, a jump).
    const budget = this.budgetValue;
    const snippets = this.options.snippets?.(doc) ?? [];
    const extraShare = snippets.length > 0 ? EXTRA_SHARE : 0;
    const build = (maxPromptTokens: number) =>
      buildCompletionContext(doc, cursor, { maxPromptTokens, extraContextShare: extraShare, countTokens: this.countTokens });
    let ctx = build(budget.maxPromptTokens);
    let extra = this.selectExtra(ctx, doc, snippets);
    let extraIds = extra.map((c) => c.id).join("|");
    const isWarm = (c: typeof ctx, ids: string) =>
      this.warm !== undefined && this.warm.docId === doc.id && this.warm.prefixStartLine === c.prefixStartLine && this.warm.extraIds === ids;
    let warm = isWarm(ctx, extraIds);
    if (!warm && !prefetch && budget.coldPromptTokens < budget.maxPromptTokens) {
      ctx = build(budget.coldPromptTokens);
      extra = this.selectExtra(ctx, doc, snippets);
      extraIds = extra.map((c) => c.id).join("|");
      warm = isWarm(ctx, extraIds);
    }
    if (prefetch && !warm) {
      // A prefetch that must evaluate the whole prompt from scratch only pays off where that is quick; on a slow CPU
      // the next keystroke would pre-empt it half-way and leave the engine's cache worse than before.
      const tokens = ctx.tokens.total + extra.reduce((n, c) => n + c.tokens, 0);
      if ((tokens * 1000) / budget.speed.prefillTokensPerSecond > (grow ? GROW_MAX_COLD_MS : PREFETCH_MAX_COLD_MS)) return this.decline("prefetchTooSlow", started);
    }
    const settings = this.options.settings();
    const fields = completionRequestFields(ctx, extra, mode, budget, { warm, salt: settings.salt });
    const anchor = { documentId: doc.id, line: cursor.line, character: cursor.character, linePrefix: ctx.linePrefix };
    const anchorId = `${doc.id}:${cursor.line}:${cursor.character}`;
    const post = (raw: string, truncated: boolean): string | undefined =>
      postprocess(raw, {
        linePrefix: ctx.linePrefix,
        lineSuffix: ctx.lineSuffix,
        nextLines: ctx.nextLines,
        previousLines: ctx.previousLines,
        indentUnit: ctx.indentUnit,
        languageId: doc.languageId,
        mode,
        maxLines: fields.maxLines,
        truncated,
        recentSuggestions: prefetch ? [] : this.recentShown.filter((r) => r.at !== anchorId).map((r) => r.text),
      });

    // Alternatives: the first is greedy, the others sampled with a fixed seed each (the same prompt gives the same
    // alternatives). Alt+] on a suggestion that came alone asks again explicitly: only the missing ones are generated.
    const cached = this.cache.get(fields.cacheKey);
    if (cached && cached.texts.length >= wanted) {
      const items = unique(cached.texts.map((t) => post(t, false)));
      if (!prefetch) {
        this.stats.cacheHits++;
        if (items.length > 0) {
          this.stats.shown++;
          this.cache.remember(anchor, items[0]);
        }
      }
      return { items, source: "cache", totalMs: this.now() - started, engineMs: 0, debounceMs: 0, mode };
    }

    // The debounce: only a request that would reach the engine waits for the typing to pause.
    const debounceStart = this.now();
    if (req.beforeEngine && !(await req.beforeEngine())) return this.decline("cancelled", started, "cancelled");
    const debounceMs = this.now() - debounceStart;
    if (req.signal?.aborted) return this.decline("cancelled", started, "cancelled");

    // Everything the model will see passes the safety filter here.
    const chunkLocations = extra.map((c) => this.options.snippetLocation?.(c.sourcePath));
    const filtered = await this.options.safety.filterRequest(doc.location, fields, chunkLocations);
    if (!filtered.ok) return this.decline(filtered.reason, started, "refused");

    // A prefetch never pre-empts the user: not one running, not one that started while this prefetch was on its way
    // here (it was not in flight yet when that request cancelled prefetches).
    if (prefetch && (this.userRequests !== userRequestsAtStart || (this.inFlight !== undefined && !this.inFlight.prefetch))) {
      return this.decline("busy", started);
    }
    // One request in flight: abort the previous one (the engine supersedes it too).
    this.inFlight?.controller.abort();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    req.signal?.addEventListener("abort", onAbort, { once: true });
    const flight = { controller, prefetch };
    this.inFlight = flight;
    const have = cached?.texts.length ?? 0;
    const texts: string[] = cached ? [...cached.texts] : [];
    let metrics: CompleteResult["metrics"] | undefined;
    let truncated = false;
    const engineStart = this.now();
    try {
      const engine = await this.options.engine(controller.signal);
      for (let i = have; i < wanted && !controller.signal.aborted; i++) {
        this.stats.engineRequests++;
        if (prefetch) this.stats.prefetchRequests++;
        if (grow && !warm) this.stats.growRequests++;
        const result = await engine.complete(
          {
            prefix: filtered.prompt.prefix,
            currentLinePrefix: filtered.prompt.currentLinePrefix,
            suffix: filtered.prompt.suffix,
            extraContext: [...filtered.prompt.extraContext],
            maxTokens: fields.maxTokens,
            stop: [...fields.stop],
            stopAtLineEnd: fields.stopAtLineEnd,
            timeBudgetMs: prefetch ? fields.timeBudgetMs * 2 : fields.timeBudgetMs,
            ...(i === 0 ? { temperature: 0 } : { temperature: ALTERNATIVE_TEMPERATURE, seed: i }),
            ...(prefetch ? { priority: "background" as const } : {}),
          },
          { signal: controller.signal },
        );
        // The engine's sequence holds this prompt now (also after an alternative only).
        this.warm = { docId: doc.id, prefixStartLine: ctx.prefixStartLine, extraIds, maxPromptTokens: ctx.budget.maxPromptTokens };
        if (i === 0) {
          metrics = result.metrics;
          truncated = result.metrics.stopReason === "maxTokens" || result.metrics.stopReason === "timeBudget";
          this.speed.observe(result.metrics);
          this.budgetValue = this.derive(this.budgetValue);
        }
        texts.push(result.text);
      }
    } catch (error) {
      if (texts.length === have) {
        if (isCancellation(error) || controller.signal.aborted) {
          this.stats.cancelled++;
          return this.decline("cancelled", started, "cancelled");
        }
        const code = (error as { code?: unknown } | null)?.code;
        this.options.log?.(`completion request failed: ${typeof code === "string" ? code : error instanceof Error ? error.name : "error"}`);
        return this.decline(typeof code === "string" ? code : "error", started, "error");
      }
    } finally {
      req.signal?.removeEventListener("abort", onAbort);
      if (this.inFlight === flight) this.inFlight = undefined;
    }
    const engineMs = this.now() - engineStart;
    this.cache.set(fields.cacheKey, { texts });
    const items = unique(texts.map((t, i) => post(t, i === 0 && truncated)));
    const totalMs = this.now() - started;
    if (items.length > 0 && !prefetch) {
      this.cache.remember(anchor, items[0]);
      this.stats.shown++;
      this.stats.lastLatencyMs = totalMs;
      this.recentShown.push({ at: anchorId, text: items[0] });
      if (this.recentShown.length > 8) this.recentShown.shift();
    }
    // A prefetch's suggestion waits for the user at its place. Not a growth prefetch's: it is made where a suggestion
    // is on screen already, and the user may be typing through that one.
    if (prefetch && !grow && items.length > 0) this.cache.remember(anchor, items[0]);
    return { items, source: items.length > 0 ? "engine" : "empty", totalMs, engineMs, debounceMs, metrics, mode };
  }

  private selectExtra(ctx: ReturnType<typeof buildCompletionContext>, doc: PipelineDocument, snippets: readonly Snippet[]): ExtraChunk[] {
    if (snippets.length === 0 || ctx.budget.extra <= 0) return [];
    const chosen = selectExtraContext(ctx.nearCursor, snippets, {
      languageId: doc.languageId,
      maxTokens: ctx.budget.extra,
      current: { path: doc.relativePath, startLine: ctx.prefixStartLine, endLine: ctx.suffixEndLine, prefix: ctx.prefix },
      previous: this.lastExtraIds,
      countTokens: this.countTokens,
    });
    this.lastExtraIds = chosen.map((c) => c.id);
    return chosen;
  }
}

function unique(texts: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const t of texts) if (t !== undefined && !out.includes(t)) out.push(t);
  return out;
}
