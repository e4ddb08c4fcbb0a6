/**
 * Completion outcomes become usage records, one per request, with the request's fate: a suggestion on screen is
 * held until the user shows what they did with it (accepted it whole or by word or line, typed it through, or typed
 * something else: dismissed). Prefetches are written at once. Requests that asked nothing (trigger rules, a
 * keystroke during the debounce) are not requests of the model and are not logged: they would flood the log.
 *
 * A suggestion ruled out by a later request waits {@link ACCEPT_GRACE_MS} before it is written as dismissed: the
 * accept command can reach the host after the keystroke that the acceptance itself caused.
 */
import type { CompletionOutcome } from "../completion/outcome.ts";
import { hashLanguage, metricsFields, round, safeToken, type UsageOutcome, type UsageRecord } from "./record.ts";

export const ACCEPT_GRACE_MS = 1500;

/** Which backend and model served the request (asked when the record is made). */
export interface ServedBy {
  readonly backend: "local" | "remote";
  readonly model?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class CompletionRecorder {
  /** The suggestion on screen, its fate unknown yet. */
  private pending: Mutable<UsageRecord> | undefined;
  /** A suggestion ruled dismissed, written once the grace has passed. */
  private settling: { record: Mutable<UsageRecord>; at: number } | undefined;

  constructor(
    private readonly emit: (record: UsageRecord) => void,
    private readonly servedBy: () => ServedBy,
    private readonly now: () => number = Date.now,
  ) {}

  /** One completion outcome (subscribe it to `CompletionPipeline.onOutcome`). */
  observe(outcome: CompletionOutcome): void {
    this.tick();
    if (outcome.prefetch) {
      const record = this.recordOf(outcome);
      if (record) this.emit(record);
      return;
    }
    if (outcome.kind === "accepted") return this.accepted(outcome);
    if (outcome.kind === "declined") {
      // Nothing was asked, but the user typed on: what was on screen was not taken.
      if (outcome.reason !== "busy") this.settle("dismissed");
      return;
    }
    this.settle(outcome.kind === "typedThrough" ? "typedThrough" : "dismissed");
    const record = this.recordOf(outcome);
    if (!record) return;
    if (record.outcome === "shown") this.pending = record;
    else this.emit(record);
  }

  /** Writes a dismissed suggestion whose grace has passed (call it now and then; `observe` does too). */
  tick(): void {
    if (this.settling && this.now() - this.settling.at >= ACCEPT_GRACE_MS) {
      this.emit(this.settling.record);
      this.settling = undefined;
    }
  }

  /** Whether a dismissed suggestion waits for its grace to pass (the host then calls `tick` after it). */
  get settlingSoon(): boolean {
    return this.settling !== undefined;
  }

  /** Drops what is held without writing it (the log was cleared). */
  forget(): void {
    this.settling = undefined;
    this.pending = undefined;
  }

  /** Everything held, written as it stands (the log is closing): a suggestion still on screen stays `shown`. */
  drain(): void {
    if (this.settling) this.emit(this.settling.record);
    if (this.pending) this.emit(this.pending);
    this.settling = undefined;
    this.pending = undefined;
  }

  private accepted(outcome: CompletionOutcome): void {
    const by = outcome.acceptedBy ?? "full";
    const target = this.pending ?? this.settling?.record;
    if (target === undefined) {
      // Accepted a suggestion this log never saw shown (the log was turned on meanwhile).
      this.emit({ ...this.base(outcome, "accepted"), acceptedBy: by, ...(outcome.acceptedChars !== undefined ? { acceptedChars: outcome.acceptedChars } : {}) });
      return;
    }
    if (target.outcome !== "accepted" || by === "full") target.acceptedBy = by;
    target.outcome = "accepted";
    if (outcome.acceptedChars !== undefined) target.acceptedChars = (target.acceptedChars ?? 0) + outcome.acceptedChars;
    if (this.settling?.record === target) {
      this.emit(target);
      this.settling = undefined;
    } else if (by === "full") {
      this.emit(target);
      this.pending = undefined;
    }
    // Accepted by word or line: the rest may still be accepted, typed through or dismissed; the record stays held.
  }

  /** Ends the fate of the suggestion on screen: `typedThrough` at once, `dismissed` after the grace. */
  private settle(fate: "typedThrough" | "dismissed"): void {
    const record = this.pending;
    if (!record) return;
    this.pending = undefined;
    if (record.outcome === "accepted") {
      this.emit(record);
      return;
    }
    record.outcome = fate;
    if (fate === "typedThrough") {
      this.emit(record);
      return;
    }
    if (this.settling) this.emit(this.settling.record);
    this.settling = { record, at: this.now() };
  }

  private recordOf(outcome: CompletionOutcome): Mutable<UsageRecord> | undefined {
    switch (outcome.kind) {
      case "declined":
        return undefined;
      case "cancelled":
        // A cancellation before the model (debounce) is a keystroke, not a request.
        return outcome.source === "engine" ? this.base(outcome, "cancelled") : undefined;
      case "shown":
      case "typedThrough":
        return this.base(outcome, outcome.prefetch ? "ready" : "shown");
      case "empty":
      case "refused":
      case "error":
        return this.base(outcome, outcome.kind);
      case "accepted":
        return this.base(outcome, "accepted");
    }
  }

  private base(outcome: CompletionOutcome, kind: UsageOutcome): Mutable<UsageRecord> {
    const served = this.servedBy();
    const m = outcome.metrics;
    const reason = safeToken(outcome.reason);
    const lang = hashLanguage(outcome.languageId);
    return {
      v: 1,
      t: this.now(),
      feature: outcome.prefetch ? "prefetch" : "completion",
      backend: served.backend,
      ...(served.model !== undefined ? { model: served.model } : {}),
      ...(lang !== undefined ? { lang } : {}),
      outcome: kind,
      source: outcome.source,
      cacheHit: outcome.source === "cache" || outcome.source === "typeThrough",
      ...(reason !== undefined && kind !== "shown" && kind !== "ready" ? { reason } : {}),
      ...metricsFields(m),
      totalMs: round(outcome.totalMs),
      redactions: outcome.redactions ?? 0,
    };
  }
}

