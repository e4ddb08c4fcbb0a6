/**
 * One keystroke's way from the editor to ghost text, without `vscode` (the provider adapts the editor to it, the
 * bench drives it directly): serve from memory (typing-through) → trigger decision → build the prompt → serve from
 * memory (result cache) → debounce → safety gate → call the backend → finish (post-process, remember). Every request
 * ends in one {@link CompletionOutcome} on {@link CompletionPipeline.onOutcome}; statistics subscribe to it.
 *
 * At most one backend request is in flight: a new one aborts the previous (the engine also supersedes it), and a
 * speculative prefetch is aborted by any user request.
 */
import { EventEmitter } from "../events.ts";
import { deriveBudget, type CompletionBudget, type SpeedSample } from "./budget.ts";
import { SpeedTracker } from "./liveSpeed.ts";
import { CompletionCache, type SuggestionAnchor } from "./cache.ts";
import type { CompletionContext, CursorPosition } from "./context.ts";
import type { ExtraChunk, Snippet } from "./extraContext.ts";
import { acceptedOutcome, outcomeOf, type AcceptedBy, type CompletionOutcome } from "./outcome.ts";
import { callBackend, InFlightRequest, type BackendTexts } from "./backendCall.ts";
import {
  buildPrompt,
  chooseExtraChunks,
  completeWhenFor,
  postprocessorFor,
  prefetchTooSlow,
  startRun,
  triggerDecision,
  unique,
  warmStateOf,
  type PromptPlan,
  type Run,
} from "./pipelineSteps.ts";
import { WarmStates } from "./warmStates.ts";
import type { CompletionMode } from "./trigger.ts";
import type { PipelineDocument, PipelineOptions, PipelineRequest, PipelineResult, PrefetchOptions, PrewarmReport, ResultSource } from "./pipelineTypes.ts";
import { prewarmAt, YIELD_TO_COMPLETION } from "./prewarm.ts";
import type { PromptText } from "./safetyGate.ts";
import { charRatioCounter, type TokenCounter } from "./tokens.ts";

export * from "./pipelineTypes.ts";
export { GROW_AFTER_IDLE_MS } from "./pipelineSteps.ts";

export class CompletionPipeline {
  readonly cache = new CompletionCache();
  private readonly outcomes = new EventEmitter<CompletionOutcome>();
  /** One event per `run`/`prefetch` call, and one per accepted suggestion (`noteAccepted`). */
  readonly onOutcome = this.outcomes.event;
  private speed = new SpeedTracker();
  private budgetValue: CompletionBudget;
  private countTokens: TokenCounter = charRatioCounter();
  private readonly inFlight = new InFlightRequest();
  /** Counts user requests: a prefetch that started before the latest one gives way instead of reaching the engine. */
  private userRequests = 0;
  private readonly warm = new WarmStates();
  private lastExtraIds: string[] = [];
  /** The prewarm running now: a user request in its document stops it and plans with what it evaluated. */
  private prewarming: { readonly docId: string; readonly controller: AbortController; readonly done: Promise<PrewarmReport> } | undefined;
  /** Suggestions shown lately, with where: the same text at another place is a repeat post-processing drops. */
  private readonly recentShown: { readonly at: string; readonly text: string }[] = [];
  /** The last suggestion shown to the user, for the `accepted` outcome. */
  private lastShown: CompletionOutcome | undefined;
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
    return this.inFlight.busy;
  }

  /** A new model: speeds measured at load (or the fallback), tokens calibrated against its tokenizer. */
  resetModel(speed?: SpeedSample, charsPerToken?: number): void {
    this.speed = new SpeedTracker(speed);
    this.countTokens = charRatioCounter(charsPerToken);
    this.cache.clear();
    this.warm.clear();
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
    this.inFlight.cancelPrefetch();
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

  /**
   * A suggestion was accepted (all of it, or a word or a line of it; `chars` of it when the host knows): it is no
   * longer a rejected repeat, and the `accepted` outcome goes out.
   */
  noteAccepted(acceptedBy: AcceptedBy = "full", chars?: number): void {
    this.recentShown.length = 0;
    this.outcomes.fire(acceptedOutcome(this.lastShown, acceptedBy, chars));
  }

  /** Forgets a closed document. */
  forgetDocument(id: string): void {
    this.cache.forgetDocument(id);
    this.warm.forget(id);
  }

  /** Runs the pipeline for one keystroke (or an explicit request). Never throws: errors become an empty result. */
  async run(req: PipelineRequest): Promise<PipelineResult> {
    return this.runInternal(req, false, false);
  }

  /**
   * Speculative prefetch: the completion at `cursor` of `doc` (typically the document with the shown suggestion
   * inserted), evaluated at low priority so the result waits in the cache. Skipped when a request is running.
   */
  async prefetch(doc: PipelineDocument, cursor: CursorPosition, options: PrefetchOptions = {}): Promise<PipelineResult> {
    return this.runInternal({ doc, cursor, explicit: false, enabled: true }, true, options.grow === true);
  }

  /**
   * Evaluates the full prompt window at `cursor` before the user types there (a file opened or focused, a far jump):
   * lowest priority, the engine yields to any user request. Aborting `signal` (the user switched away) stops it.
   */
  prewarm(doc: PipelineDocument, cursor: CursorPosition, signal?: AbortSignal): Promise<PrewarmReport> {
    const run = startRun({ doc, cursor, explicit: false, enabled: true }, { prefetch: true, grow: true, started: this.now(), userRequestsAtStart: this.userRequests });
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener("abort", onAbort);
    if (signal?.aborted) onAbort();
    const deps = { options: this.options, warm: this.warm, busy: () => this.inFlight.busy, plan: (mode: CompletionMode) => this.buildPrompt(run, mode) };
    const done: Promise<PrewarmReport> = prewarmAt(deps, doc, cursor, controller.signal).finally(() => {
      signal?.removeEventListener("abort", onAbort);
      if (this.prewarming?.done === done) this.prewarming = undefined;
    });
    this.prewarming = { docId: doc.id, controller, done };
    return done;
  }

  /**
   * A user request in the document a prewarm is evaluating: stop the prewarm (the engine finishes the chunk it is on;
   * a request would wait for that chunk anyway) and wait for what it evaluated, so the prompt is planned with it.
   */
  private async stopPrewarmFor(docId: string): Promise<boolean> {
    const running = this.prewarming;
    if (running?.docId !== docId) return false;
    running.controller.abort(YIELD_TO_COMPLETION);
    await running.done;
    return true;
  }

  /** Whether the engine's cache holds a prompt of less than the full size, or only a prewarm's (no suggestion yet), for this document (a pause may grow it). */
  canGrow(docId: string): boolean {
    const held = this.warm.of(docId);
    return held === undefined || held.prewarmed === true || held.maxPromptTokens < this.budgetValue.maxPromptTokens;
  }

  private async runInternal(req: PipelineRequest, prefetch: boolean, grow: boolean): Promise<PipelineResult> {
    if (!prefetch) {
      this.userRequests++;
      this.cancelPrefetch();
    }
    const run = startRun(req, { prefetch, grow, started: this.now(), userRequestsAtStart: this.userRequests });
    const result = await this.steps(run);
    this.report(run, result);
    return result;
  }

  private async steps(run: Run): Promise<PipelineResult> {
    const { doc } = run.req;
    if (run.prefetch && this.inFlight.busy) return this.decline(run, "busy");
    if (run.req.signal?.aborted) return this.decline(run, "cancelled", "cancelled");
    const excluded = await this.options.safety.isExcluded(doc.location);
    const typedThrough = this.serveTypingThrough(run, excluded);
    if (typedThrough) return typedThrough;

    const decision = triggerDecision(run.req, excluded, this.options.modelReady());
    if (!decision.request) return this.decline(run, decision.reason);

    let plan = this.buildPrompt(run, decision.mode);
    if (run.prefetch && prefetchTooSlow(plan, this.budgetValue, run.grow)) return this.decline(run, "prefetchTooSlow");
    const cached = this.cache.get(plan.fields.cacheKey)?.texts ?? [];
    if (cached.length >= run.wanted) return this.serveFromCache(run, plan, cached);

    // The debounce: only a request that would reach the engine waits for the typing to pause.
    const debounceStart = this.now();
    if (run.req.beforeEngine && !(await run.req.beforeEngine())) return this.decline(run, "cancelled", "cancelled");
    run.debounceMs = this.now() - debounceStart;
    if (run.req.signal?.aborted) return this.decline(run, "cancelled", "cancelled");
    // What a prewarm here evaluated until now decides the prompt's size: plan again once it has stopped.
    if (!run.prefetch && (await this.stopPrewarmFor(doc.id)) && !plan.warm) plan = this.buildPrompt(run, decision.mode);
    if (run.req.signal?.aborted) return this.decline(run, "cancelled", "cancelled");

    // Everything the model will see passes the safety gate here.
    const chunkLocations = plan.extra.map((c) => this.options.snippetLocation?.(c.sourcePath));
    const filtered = await this.options.safety.filterRequest(doc.location, plan.fields, chunkLocations);
    if (!filtered.ok) return this.decline(run, filtered.reason, "refused");
    run.redactions = filtered.redactions;

    const answer = await this.callBackend(run, plan, filtered.prompt, cached);
    return "texts" in answer ? this.finish(run, plan, answer) : answer;
  }

  /**
   * Typing-through: the user types what the suggestion on screen says; the rest comes from memory (no model, so no
   * readiness or typing heuristics to check). Not when alternatives are asked for: memory holds only one.
   */
  private serveTypingThrough(run: Run, excluded: boolean): PipelineResult | undefined {
    const { doc, cursor } = run.req;
    if (run.prefetch || excluded || !run.req.enabled || run.wanted !== 1) return undefined;
    const hit = this.cache.typeThrough(doc.id, doc, cursor);
    return hit && { items: [hit.text], source: "typeThrough", totalMs: this.now() - run.started, engineMs: 0, debounceMs: 0 };
  }

  private buildPrompt(run: Run, mode: PromptPlan["mode"]): PromptPlan {
    const { doc, cursor } = run.req;
    const snippets = this.options.snippets?.(doc) ?? [];
    const plan = buildPrompt({
      doc,
      cursor,
      mode,
      prefetch: run.prefetch,
      budget: this.budgetValue,
      salt: this.options.settings().salt,
      snippets,
      countTokens: this.countTokens,
      selectExtra: (ctx) => this.selectExtra(ctx, doc, snippets),
      isWarm: (ctx, extraIds) => this.warm.holds(doc.id, ctx, extraIds),
      heldShare: (ctx, extraIds) => this.warm.heldShare(doc.id, ctx, extraIds),
    });
    run.warm = plan.warm;
    return plan;
  }

  /** The result cache: the same prompt was answered before, with at least as many alternatives as wanted now. */
  private serveFromCache(run: Run, plan: PromptPlan, texts: readonly string[]): PipelineResult {
    const post = this.postprocessor(run, plan);
    const items = unique(texts.map((t) => post(t, false)));
    if (!run.prefetch && items.length > 0) this.cache.remember(this.anchorOf(run, plan), items[0]);
    return { items, source: "cache", totalMs: this.now() - run.started, engineMs: 0, debounceMs: 0, mode: plan.mode };
  }

  /** The alternatives not in the cache yet, one backend request in flight at a time. */
  private async callBackend(run: Run, plan: PromptPlan, prompt: PromptText, cached: readonly string[]): Promise<BackendTexts | PipelineResult> {
    // A prefetch never pre-empts the user: not one running, not one that started while this prefetch was on its way
    // here (it was not in flight yet when that request cancelled prefetches).
    if (run.prefetch && (this.userRequests !== run.userRequestsAtStart || this.inFlight.userRequestRunning)) return this.decline(run, "busy");
    run.reachedBackend = true;
    const answer = await callBackend(this.inFlight, {
      engine: this.options.engine,
      prompt,
      fields: plan.fields,
      prefetch: run.prefetch,
      signal: run.req.signal,
      cached,
      wanted: run.wanted,
      now: this.now,
      onCall: () => run.engineRequests++,
      completeWhen: completeWhenFor(plan, run.req.doc.languageId),
      onAnswer: (index, metrics) => {
        // The engine's sequence holds this prompt now (also after an alternative only, or one stopped early).
        this.warm.add(warmStateOf(plan, run.req.doc.id));
        if (index > 0 || !metrics) return;
        this.speed.observe(metrics);
        this.budgetValue = this.derive(this.budgetValue);
      },
    });
    if (answer.ok) return answer;
    if (answer.cancelled) return this.decline(run, "cancelled", "cancelled");
    this.options.log?.(`completion request failed: ${answer.code}`);
    return this.decline(run, answer.reason, "error");
  }

  /** Post-processes, caches the raw texts, and remembers the first suggestion for typing-through and repeats. */
  private finish(run: Run, plan: PromptPlan, answer: BackendTexts): PipelineResult {
    this.cache.set(plan.fields.cacheKey, { texts: answer.texts });
    const post = this.postprocessor(run, plan);
    const items = unique(answer.texts.map((t, i) => post(t, i === 0 && answer.truncated)));
    const totalMs = this.now() - run.started;
    if (items.length > 0 && !run.prefetch) {
      this.cache.remember(this.anchorOf(run, plan), items[0]);
      this.recentShown.push({ at: run.anchorId, text: items[0] });
      if (this.recentShown.length > 8) this.recentShown.shift();
    }
    // A prefetch's suggestion waits for the user at its place. Not a growth prefetch's: it is made where a suggestion
    // is on screen already, and the user may be typing through that one.
    if (run.prefetch && !run.grow && items.length > 0) this.cache.remember(this.anchorOf(run, plan), items[0]);
    return { items, source: items.length > 0 ? "engine" : "empty", totalMs, engineMs: answer.engineMs, debounceMs: run.debounceMs, metrics: answer.metrics, mode: plan.mode };
  }

  private postprocessor(run: Run, plan: PromptPlan): (raw: string, truncated: boolean) => string | undefined {
    const recent = run.prefetch ? [] : this.recentShown.filter((r) => r.at !== run.anchorId).map((r) => r.text);
    return postprocessorFor(plan, run.req.doc.languageId, recent);
  }

  private anchorOf(run: Run, plan: PromptPlan): SuggestionAnchor {
    return { documentId: run.req.doc.id, line: run.req.cursor.line, character: run.req.cursor.character, linePrefix: plan.ctx.linePrefix };
  }

  private decline(run: Run, reason: string, source: ResultSource = "declined"): PipelineResult {
    return { items: [], source, reason, totalMs: this.now() - run.started, engineMs: 0, debounceMs: 0 };
  }

  /** The request's one outcome. */
  private report(run: Run, result: PipelineResult): void {
    const { req, prefetch, grow, warm, reachedBackend, engineRequests, redactions } = run;
    const outcome = outcomeOf(result, { prefetch, grow, explicit: req.explicit, languageId: req.doc.languageId, warm, reachedBackend, engineRequests, redactions });
    if (!prefetch && (outcome.kind === "shown" || outcome.kind === "typedThrough")) this.lastShown = outcome;
    this.outcomes.fire(outcome);
  }

  private selectExtra(ctx: CompletionContext, doc: PipelineDocument, snippets: readonly Snippet[]): ExtraChunk[] {
    const chosen = chooseExtraChunks(ctx, doc, snippets, this.lastExtraIds, this.countTokens);
    this.lastExtraIds = chosen.map((c) => c.id);
    return chosen;
  }
}
