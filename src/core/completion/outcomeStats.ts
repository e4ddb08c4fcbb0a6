/**
 * Completion statistics, kept by a subscriber to the pipeline's outcomes rather than in the request path: the host
 * exposes one to its tests, the bench prints one.
 */
import type { Disposable, Event } from "../events.ts";
import type { CompletionOutcome } from "./outcome.ts";

export class CompletionOutcomeCounter implements Disposable {
  /** Backend calls (user requests and prefetches, one per alternative). */
  engineRequests = 0;
  /** Backend calls made by prefetches (part of `engineRequests`). */
  prefetchRequests = 0;
  /** Backend calls of prefetches that grew the prompt to its full size after a pause (part of `prefetchRequests`). */
  growRequests = 0;
  /** Requests whose backend call ended cancelled or superseded. */
  cancelled = 0;
  typeThroughHits = 0;
  /** User requests answered from the result cache (possibly with nothing left after post-processing). */
  cacheHits = 0;
  /** Suggestions returned to the user (any source; prefetches not counted). */
  shown = 0;
  accepted = 0;
  /** Requests that ended without suggestions, by reason. */
  readonly declined: Record<string, number> = {};
  /** Total time of the last user request the backend answered with a suggestion. */
  lastLatencyMs: number | undefined;
  private readonly subscription: Disposable;

  constructor(onOutcome: Event<CompletionOutcome>) {
    this.subscription = onOutcome((outcome) => this.count(outcome));
  }

  private count(outcome: CompletionOutcome): void {
    this.engineRequests += outcome.engineRequests;
    if (outcome.prefetch) this.prefetchRequests += outcome.engineRequests;
    // A growth prefetch counts warm or cold: after a prewarm (speed issue) the window is warm already and the pause
    // only generates the suggestion.
    if (outcome.grow) this.growRequests += outcome.engineRequests;
    switch (outcome.kind) {
      case "accepted":
        this.accepted++;
        return;
      case "typedThrough":
        this.typeThroughHits++;
        this.shown++;
        return;
      case "shown":
      case "empty":
        if (outcome.prefetch) return;
        if (outcome.source === "cache") this.cacheHits++;
        if (outcome.kind === "empty") return;
        this.shown++;
        if (outcome.source === "engine") this.lastLatencyMs = outcome.totalMs;
        return;
      case "cancelled":
      case "declined":
      case "refused":
      case "error":
        if (outcome.kind === "cancelled" && outcome.source === "engine") this.cancelled++;
        if (outcome.reason !== undefined) this.declined[outcome.reason] = (this.declined[outcome.reason] ?? 0) + 1;
        return;
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
