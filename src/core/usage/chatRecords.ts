/** A chat or Explain answer as a usage record: counts and times from the answer's metrics, never its text. */
import type { RequestMetrics } from "../backend/types.ts";
import type { StoredTurn } from "../chat/conversation.ts";
import type { ServedBy } from "./completionRecords.ts";
import { metricsFields, round, safeToken, type UsageRecord } from "./record.ts";

/** What the chat generation reports when an answer ends. */
export interface ChatAnswerFacts {
  readonly feature: "chat" | "explain";
  readonly outcome: "answered" | "stopped" | "failed";
  /** The backend's metrics (absent when the answer was stopped or failed before they came back). */
  readonly metrics?: RequestMetrics;
  readonly totalMs: number;
  /** Secrets the safety filter replaced in what the question sent (its text and attachments). */
  readonly redactions: number;
  /** The error's code when it failed. */
  readonly errorCode?: string;
}

export function chatRecord(facts: ChatAnswerFacts, served: ServedBy, now: number): UsageRecord {
  const reason = safeToken(facts.errorCode);
  return {
    v: 1,
    t: now,
    feature: facts.feature,
    backend: served.backend,
    ...(served.model !== undefined ? { model: served.model } : {}),
    outcome: facts.outcome,
    ...(reason !== undefined ? { reason } : {}),
    ...metricsFields(facts.metrics),
    totalMs: round(facts.totalMs),
    redactions: facts.redactions,
  };
}

/** The filter's placeholders (`<secret:rule#1>`, `<redacted:sensitive-word#2>`) left in a filtered text. */
const REDACTION_MARKER = /<(?:secret|redacted):[^<>\s]{1,80}#\d+>/g;

/** Redactions the safety filter made in the question being answered: its text and its attachments. */
export function questionRedactions(history: readonly Pick<StoredTurn, "role" | "text" | "attachments">[]): number {
  const question = history.findLast((turn) => turn.role === "user");
  if (!question) return 0;
  const inText = question.text.match(REDACTION_MARKER)?.length ?? 0;
  return inText + question.attachments.reduce((sum, a) => sum + a.redactions, 0);
}
