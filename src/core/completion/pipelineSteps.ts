/**
 * The pipeline's steps that need none of its state: building the prompt (context, cold or full size, extra chunks),
 * deciding whether a prefetch is worth it, and post-processing.
 */
import { BUDGET_DEFAULTS, type CompletionBudget } from "./budget.ts";
import { buildCompletionContext, type CompletionContext, type CursorPosition } from "./context.ts";
import { selectExtraContext, type ExtraChunk, type Snippet } from "./extraContext.ts";
import { postprocess, suggestionComplete, type PostprocessContext } from "./postprocess/index.ts";
import type { PipelineDocument, PipelineRequest } from "./pipelineTypes.ts";
import { coldTokensToEvaluate, completionRequestFields, type CompletionRequestFields } from "./request.ts";
import type { TokenCounter } from "./tokens.ts";
import { shouldRequest, type CompletionMode, type TriggerDecision } from "./trigger.ts";

/**
 * A pause this long (no edit, no cursor move) lets a slow CPU evaluate the full prompt window in the background
 * (`prefetch` with `grow`), so the suggestions that follow at this place see the whole window, not the small one a
 * cold request can afford. Typing aborts it. The host's CompletionService and the bench use it.
 */
export const GROW_AFTER_IDLE_MS = 2000;

/** Longest expected prefill for a prefetch on a cold engine cache. */
const PREFETCH_MAX_COLD_MS = 2500;

/**
 * Longest expected prefill for a growth prefetch (the user paused): the full prompt is derived to fit
 * `backgroundPrefillMs` (6 s), with room for the estimate's error.
 */
const GROW_MAX_COLD_MS = BUDGET_DEFAULTS.backgroundPrefillMs * 1.5;

/** Share of the prompt reserved for extra chunks; constant, so the prefix start never moves with them. */
const EXTRA_SHARE = 0.15;

/** One request on its way through the steps; what its outcome reports besides the result. */
export interface Run {
  readonly req: PipelineRequest;
  readonly prefetch: boolean;
  readonly grow: boolean;
  readonly started: number;
  /** The pipeline's count of user requests when this one started: a prefetch gives way to any later one. */
  readonly userRequestsAtStart: number;
  /** Suggestions asked for: alternatives only for user requests (memory holds one). */
  readonly wanted: number;
  /** Where the suggestion goes, to tell a repeat at another place from the same suggestion here. */
  readonly anchorId: string;
  warm: boolean | undefined;
  reachedBackend: boolean;
  engineRequests: number;
  debounceMs: number;
  /** Secrets the safety gate replaced in what this request sent. */
  redactions: number;
}

export function startRun(req: PipelineRequest, start: Pick<Run, "prefetch" | "grow" | "started" | "userRequestsAtStart">): Run {
  return {
    req,
    ...start,
    wanted: start.prefetch ? 1 : Math.max(1, req.alternatives ?? 1),
    anchorId: `${req.doc.id}:${req.cursor.line}:${req.cursor.character}`,
    warm: undefined,
    reachedBackend: false,
    engineRequests: 0,
    debounceMs: 0,
    redactions: 0,
  };
}

/** The trigger rules for a request that memory did not answer. */
export function triggerDecision(req: PipelineRequest, excluded: boolean, modelReady: boolean): TriggerDecision {
  const { doc, cursor } = req;
  const lineText = cursor.line < doc.lineCount ? doc.lineAt(cursor.line) : "";
  return shouldRequest({
    linePrefix: lineText.slice(0, cursor.character),
    lineSuffix: lineText.slice(cursor.character),
    languageId: doc.languageId,
    explicit: req.explicit,
    excluded,
    modelReady,
    enabled: req.enabled,
    lastInserted: req.lastInserted,
    hasSelection: req.hasSelection,
  });
}

/** What the backend's sequence holds now (the last prompt it evaluated), to tell a warm request from a cold one. */
export interface WarmState {
  readonly docId: string;
  readonly prefixStartLine: number;
  readonly extraIds: string;
  readonly maxPromptTokens: number;
  /** Evaluated by a prewarm: warm, but no suggestion was generated here (a pause may still prefetch one). */
  readonly prewarmed?: boolean;
  /**
   * Share (0-1) of this prompt the sequence holds when a prewarm stopped part-way (the user typed first); absent when
   * it holds the whole prompt. A share, not a count: the engine counts real tokens, the host only estimates them.
   */
  readonly heldShare?: number;
}

/** Whether `warm` is this prompt's start (same document, prefix start and extra chunks), whole or in part. */
export function startsLike(warm: WarmState | undefined, docId: string, ctx: CompletionContext, extraIds: string): boolean {
  return warm !== undefined && warm.docId === docId && warm.prefixStartLine === ctx.prefixStartLine && warm.extraIds === extraIds;
}

/** Whether the backend's sequence holds this whole prompt's start: only the typed tokens are evaluated. */
export function holdsPrompt(warm: WarmState | undefined, docId: string, ctx: CompletionContext, extraIds: string): boolean {
  return startsLike(warm, docId, ctx, extraIds) && warm?.heldShare === undefined;
}

/** What the backend's sequence holds once it has evaluated `plan`. */
export function warmStateOf(plan: PromptPlan, docId: string): WarmState {
  return { docId, prefixStartLine: plan.ctx.prefixStartLine, extraIds: plan.extraIds, maxPromptTokens: plan.ctx.budget.maxPromptTokens };
}

/** Extra chunks from recent files for `ctx`; `previous` (the last choice) keeps the choice stable between keystrokes. */
export function chooseExtraChunks(ctx: CompletionContext, doc: PipelineDocument, snippets: readonly Snippet[], previous: readonly string[], countTokens: TokenCounter): ExtraChunk[] {
  if (snippets.length === 0 || ctx.budget.extra <= 0) return [];
  return selectExtraContext(ctx.nearCursor, snippets, {
    languageId: doc.languageId,
    maxTokens: ctx.budget.extra,
    current: { path: doc.relativePath, startLine: ctx.prefixStartLine, endLine: ctx.suffixEndLine, prefix: ctx.prefix },
    previous,
    countTokens,
  });
}

/** A prompt ready for the cache lookup, the safety gate and the backend. */
export interface PromptPlan {
  readonly ctx: CompletionContext;
  readonly extra: readonly ExtraChunk[];
  /** The extra chunks' ids, joined: part of what the backend's cache holds. */
  readonly extraIds: string;
  /** The backend's cache holds this prompt's start: only the typed tokens are evaluated. */
  readonly warm: boolean;
  /** Share (0-1) of this prompt a prewarm stopped part-way left in the backend's cache; 0 when none (or `warm`). */
  readonly heldShare: number;
  readonly mode: CompletionMode;
  readonly fields: CompletionRequestFields;
}

export interface PromptInputs {
  readonly doc: PipelineDocument;
  readonly cursor: CursorPosition;
  readonly mode: CompletionMode;
  readonly prefetch: boolean;
  readonly budget: CompletionBudget;
  readonly salt: string;
  readonly snippets: readonly Snippet[];
  readonly countTokens: TokenCounter;
  /** Chooses the extra chunks for a context (the caller remembers the last choice, to keep it stable). */
  readonly selectExtra: (ctx: CompletionContext) => ExtraChunk[];
  /** Whether the backend's cache holds the start of this context with these extra chunks. */
  readonly isWarm: (ctx: CompletionContext, extraIds: string) => boolean;
  /** Share (0-1) of this context a prewarm stopped part-way left in the backend's cache (0: none). */
  readonly heldShare: (ctx: CompletionContext, extraIds: string) => number;
}

/**
 * The full prompt when the backend's cache holds its start (only the typed tokens are evaluated), or when what is
 * left to evaluate of it fits the cold budget (a prewarm that the user's first keystroke stopped part-way has
 * evaluated the rest); a smaller one when it would be evaluated from scratch (the first request in a file, a jump). A
 * prefetch always builds the full one: it runs in the background.
 */
export function buildPrompt(input: PromptInputs): PromptPlan {
  const { doc, cursor, budget } = input;
  const extraContextShare = input.snippets.length > 0 ? EXTRA_SHARE : 0;
  const sized = (maxPromptTokens: number) => {
    const ctx = buildCompletionContext(doc, cursor, { maxPromptTokens, extraContextShare, countTokens: input.countTokens });
    const extra = input.selectExtra(ctx);
    const extraIds = extra.map((c) => c.id).join("|");
    const warm = input.isWarm(ctx, extraIds);
    return { ctx, extra, extraIds, warm, heldShare: warm ? 0 : clampShare(input.heldShare(ctx, extraIds)) };
  };
  let prompt = sized(budget.maxPromptTokens);
  if (!prompt.warm && !input.prefetch && budget.coldPromptTokens < budget.maxPromptTokens) {
    if (coldTokensToEvaluate(prompt.ctx, prompt.extra, prompt.heldShare) > budget.coldPromptTokens) prompt = sized(budget.coldPromptTokens);
  }
  const fields = completionRequestFields(prompt.ctx, prompt.extra, input.mode, budget, { warm: prompt.warm, heldShare: prompt.heldShare, salt: input.salt });
  return { ...prompt, mode: input.mode, fields };
}

function clampShare(share: number): number {
  return Number.isFinite(share) ? Math.min(1, Math.max(0, share)) : 0;
}

/**
 * A prefetch that must evaluate the whole prompt from scratch only pays off where that is quick; on a slow CPU the
 * next keystroke would pre-empt it half-way and leave the engine's cache worse than before. A growth prefetch (after
 * a pause) may take longer.
 */
export function prefetchTooSlow(plan: PromptPlan, budget: CompletionBudget, grow: boolean): boolean {
  if (plan.warm) return false;
  const tokens = coldTokensToEvaluate(plan.ctx, plan.extra, plan.heldShare);
  return (tokens * 1000) / budget.speed.prefillTokensPerSecond > (grow ? GROW_MAX_COLD_MS : PREFETCH_MAX_COLD_MS);
}

/** What post-processing knows of the place a prompt's suggestion goes. */
function postprocessContextOf(plan: PromptPlan, languageId: string): PostprocessContext {
  const { ctx } = plan;
  return {
    linePrefix: ctx.linePrefix,
    lineSuffix: ctx.lineSuffix,
    nextLines: ctx.nextLines,
    previousLines: ctx.previousLines,
    indentUnit: ctx.indentUnit,
    languageId,
    mode: plan.mode,
    maxLines: plan.fields.maxLines,
  };
}

/** Post-processing of the raw texts for a prompt; `recentSuggestions` are repeats to drop. */
export function postprocessorFor(plan: PromptPlan, languageId: string, recentSuggestions: readonly string[]): (raw: string, truncated: boolean) => string | undefined {
  const base = postprocessContextOf(plan, languageId);
  return (raw, truncated) => postprocess(raw, { ...base, truncated, recentSuggestions });
}

/**
 * For a multi-line prompt: whether the text streamed so far already holds the whole suggestion (the block has ended,
 * the line cap is reached), so the generation can stop there. Undefined for a single line (the engine stops at the
 * line's end itself).
 */
export function completeWhenFor(plan: PromptPlan, languageId: string): ((streamed: string) => boolean) | undefined {
  if (plan.mode !== "multiLine") return undefined;
  const base = postprocessContextOf(plan, languageId);
  return (streamed) => suggestionComplete(streamed, base);
}

/** The distinct defined texts, in order. */
export function unique(texts: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const t of texts) if (t !== undefined && !out.includes(t)) out.push(t);
  return out;
}
