/**
 * One event per completion request, whatever became of it, and one when the user accepts a suggestion: statistics,
 * the status bar and logs subscribe to it instead of the request path keeping counters.
 */
import type { RequestMetrics } from "../backend/types.ts";
import type { PipelineResult } from "./pipelineTypes.ts";
import type { CompletionMode } from "./trigger.ts";

/**
 * `shown`: suggestions came back (for a prefetch: they wait in memory for the user); `typedThrough`: the rest of
 * the suggestion on screen, from memory; `accepted`: the user took a suggestion; `empty`: post-processing dropped
 * everything; `declined`: nothing asked (trigger rules, model not ready, a prefetch not worth it); `refused`: the
 * safety gate said no; `cancelled`: typing went on or a newer request replaced it; `error`: the backend failed.
 */
export type CompletionOutcomeKind = "shown" | "accepted" | "typedThrough" | "cancelled" | "declined" | "empty" | "refused" | "error";

/** Where the answer (or the failure) came from; `none`: the request ended before memory or the backend answered. */
export type CompletionOutcomeSource = "typeThrough" | "cache" | "engine" | "none";

export interface CompletionOutcome {
  readonly kind: CompletionOutcomeKind;
  readonly source: CompletionOutcomeSource;
  /** Why nothing was shown: a trigger reason, `excluded`, `blocked`, `busy`, `cancelled`, an error code. */
  readonly reason?: string;
  /** A speculative request the pipeline made by itself (nothing is shown from it directly). */
  readonly prefetch: boolean;
  /** A prefetch after a pause that may evaluate the full prompt window. */
  readonly grow: boolean;
  /** The user asked (command or keybinding). */
  readonly explicit: boolean;
  /** Whether the backend's cache held this prompt's start; undefined when no prompt was built. */
  readonly warm?: boolean;
  readonly languageId: string | undefined;
  readonly mode?: CompletionMode;
  /** Suggestions returned (after post-processing). */
  readonly items: number;
  readonly totalMs: number;
  readonly engineMs: number;
  readonly debounceMs: number;
  /** Backend calls this request made (one per alternative generated). */
  readonly engineRequests: number;
  /** The first backend call's metrics. */
  readonly metrics?: RequestMetrics;
  /** Secrets the safety gate replaced in what was sent (0 when nothing was sent). */
  readonly redactions?: number;
  /** `accepted` only: all of the suggestion, or a word or a line of it. */
  readonly acceptedBy?: AcceptedBy;
  /** `accepted` only, when the host knows: characters inserted. */
  readonly acceptedChars?: number;
}

/** How a suggestion was accepted: Tab (all), or the accept-next-word / accept-next-line commands. */
export type AcceptedBy = "full" | "word" | "line";

/** What the pipeline knows about a request besides its result. */
export interface OutcomeFacts {
  readonly prefetch: boolean;
  readonly grow: boolean;
  readonly explicit: boolean;
  readonly languageId: string | undefined;
  readonly warm: boolean | undefined;
  /** The request got as far as the backend (so a cancellation or an error came from there). */
  readonly reachedBackend: boolean;
  readonly engineRequests: number;
  /** Secrets the safety gate replaced (optional: callers from before it was counted). */
  readonly redactions?: number;
}

const KIND_OF_SOURCE: Readonly<Record<PipelineResult["source"], CompletionOutcomeKind>> = {
  typeThrough: "typedThrough",
  cache: "shown",
  engine: "shown",
  empty: "empty",
  declined: "declined",
  cancelled: "cancelled",
  refused: "refused",
  error: "error",
};

/** The outcome of one request from its result. */
export function outcomeOf(result: PipelineResult, facts: OutcomeFacts): CompletionOutcome {
  const kind = result.items.length === 0 && result.source === "cache" ? "empty" : KIND_OF_SOURCE[result.source];
  const source: CompletionOutcomeSource =
    result.source === "typeThrough" || result.source === "cache" ? result.source : result.source === "engine" || result.source === "empty" || facts.reachedBackend ? "engine" : "none";
  return {
    kind,
    source,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    prefetch: facts.prefetch,
    grow: facts.grow,
    explicit: facts.explicit,
    ...(facts.warm !== undefined ? { warm: facts.warm } : {}),
    languageId: facts.languageId,
    ...(result.mode !== undefined ? { mode: result.mode } : {}),
    items: result.items.length,
    totalMs: result.totalMs,
    engineMs: result.engineMs,
    debounceMs: result.debounceMs,
    engineRequests: facts.engineRequests,
    ...(result.metrics !== undefined ? { metrics: result.metrics } : {}),
    ...(facts.redactions ? { redactions: facts.redactions } : {}),
  };
}

/** The user accepted the suggestion that `shown` reported (or one the pipeline no longer knows of). */
export function acceptedOutcome(shown: CompletionOutcome | undefined, acceptedBy: AcceptedBy = "full", chars?: number): CompletionOutcome {
  return {
    kind: "accepted",
    source: shown?.source ?? "none",
    prefetch: false,
    grow: false,
    explicit: shown?.explicit ?? false,
    languageId: shown?.languageId,
    ...(shown?.mode !== undefined ? { mode: shown.mode } : {}),
    items: 1,
    totalMs: 0,
    engineMs: 0,
    debounceMs: 0,
    engineRequests: 0,
    acceptedBy,
    ...(chars !== undefined ? { acceptedChars: chars } : {}),
  };
}
