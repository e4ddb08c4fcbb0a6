/**
 * One line of the usage log: the metadata of one request (completion, prefetch, chat, Explain), never its content.
 * No code, prompt, reply, file name or path has a field here; the language id is kept only as a short hash, and free
 * text (a decline reason, a model label) passes {@link safeToken} / {@link safeLabel} so nothing else slips in.
 * `parseUsageRecord` is the reader's gate: a corrupt, truncated or foreign line gives `undefined` and is skipped.
 */
import type { RequestMetrics } from "../backend/types.ts";
import { hashParts } from "../completion/hash.ts";

export const USAGE_FORMAT = 1;

export type UsageFeature = "completion" | "prefetch" | "chat" | "explain";
export const USAGE_FEATURES: readonly UsageFeature[] = ["completion", "prefetch", "chat", "explain"];

/**
 * Completion: `shown` (on screen when the log closed), `accepted` (see `acceptedBy`), `typedThrough` (the user typed
 * what it said), `dismissed` (typing went elsewhere), `cancelled` (a keystroke ended it at the model), `empty`
 * (nothing useful generated), `refused` (the safety settings), `error`. Prefetch: `ready` (waits in memory) or one of
 * the above. Chat and Explain: `answered`, `stopped` (the user pressed Stop), `failed`.
 */
export type UsageOutcome = "shown" | "accepted" | "typedThrough" | "dismissed" | "cancelled" | "empty" | "refused" | "error" | "ready" | "answered" | "stopped" | "failed";
const OUTCOMES: ReadonlySet<string> = new Set<UsageOutcome>(["shown", "accepted", "typedThrough", "dismissed", "cancelled", "empty", "refused", "error", "ready", "answered", "stopped", "failed"]);

/** How a completion was accepted: all of it (Tab), or a word or a line of it (Ctrl+→ / Ctrl+↓). */
export type AcceptedBy = "full" | "word" | "line";

/** Where a completion came from: the model, the result cache, the suggestion already on screen, or nowhere. */
export type UsageSource = "engine" | "cache" | "typeThrough" | "none";

export interface UsageRecord {
  readonly v: typeof USAGE_FORMAT;
  /** When the request ended (epoch ms). */
  readonly t: number;
  readonly feature: UsageFeature;
  /** `local`: this machine computed; `remote`: a configured server. */
  readonly backend: "local" | "remote";
  /** The model's short label (its file or server name, never a directory). */
  readonly model?: string;
  /** 8 hex digits of a hash of the language id: a per-language breakdown without naming the language. */
  readonly lang?: string;
  readonly outcome: UsageOutcome;
  readonly acceptedBy?: AcceptedBy;
  /** Characters of the suggestion the user took (accepted ones). */
  readonly acceptedChars?: number;
  /** Completion only. */
  readonly source?: UsageSource;
  /** A completion served from memory (result cache or typing through) without asking the model. */
  readonly cacheHit?: boolean;
  /** Why nothing was shown (a short code such as `cancelled`, `busy`, an error code). */
  readonly reason?: string;
  readonly promptTokens?: number;
  /** Prompt tokens reused from the model's KV cache. */
  readonly reusedTokens?: number;
  readonly generatedTokens?: number;
  readonly ttftMs?: number;
  readonly totalMs: number;
  /** Generation speed (after the first token). */
  readonly tokensPerSecond?: number;
  readonly stopReason?: string;
  /** The token counts are estimates (a remote server that reported none), not counts. */
  readonly tokensEstimated?: boolean;
  /** Speculative decoding (local engine, when on): whether this request drafted tokens. */
  readonly drafting?: boolean;
  /** Drafted tokens the model confirmed (kept without a decode step of their own) and refuted. */
  readonly draftsAccepted?: number;
  readonly draftsRejected?: number;
  /** Secrets the safety filter replaced in what this request sent. */
  readonly redactions: number;
}

/** The hash kept instead of the language id. */
export function hashLanguage(languageId: string | undefined): string | undefined {
  return languageId === undefined || languageId === "" ? undefined : hashParts(["lang", languageId]).slice(0, 8);
}

/** A code-like word (`busy`, `ENGINE_CRASHED`), or undefined: anything longer or with other characters is dropped. */
export function safeToken(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9_.:-]{1,48}$/.test(value) ? value : undefined;
}

/** A model label without any directory part, at most 80 characters. */
export function safeLabel(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const base = value.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/\p{C}/gu, "").slice(0, 80);
  return clean === "" ? undefined : clean;
}

/** One record as its log line (no newline). */
export function serializeUsageRecord(record: UsageRecord): string {
  return JSON.stringify(record);
}

const OPTIONAL_NUMBERS = ["acceptedChars", "promptTokens", "reusedTokens", "generatedTokens", "ttftMs", "tokensPerSecond", "draftsAccepted", "draftsRejected"] as const;
const OPTIONAL_STRINGS = ["model", "lang", "reason", "stopReason"] as const;

/** The record on one line, or undefined when the line is corrupt, truncated, of another format or has a bad field. */
export function parseUsageRecord(line: string): UsageRecord | undefined {
  if (line.length < 2 || line.charCodeAt(0) !== 123 /* { */) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r.v !== USAGE_FORMAT || !isCount(r.t) || !isCount(r.totalMs) || !isCount(r.redactions)) return undefined;
  if (!USAGE_FEATURES.includes(r.feature as UsageFeature) || !OUTCOMES.has(r.outcome as string)) return undefined;
  if (r.backend !== "local" && r.backend !== "remote") return undefined;
  if (OPTIONAL_NUMBERS.some((k) => r[k] !== undefined && !isCount(r[k]))) return undefined;
  if (OPTIONAL_STRINGS.some((k) => r[k] !== undefined && typeof r[k] !== "string")) return undefined;
  if (r.acceptedBy !== undefined && r.acceptedBy !== "full" && r.acceptedBy !== "word" && r.acceptedBy !== "line") return undefined;
  if (r.source !== undefined && r.source !== "engine" && r.source !== "cache" && r.source !== "typeThrough" && r.source !== "none") return undefined;
  if (r.cacheHit !== undefined && typeof r.cacheHit !== "boolean") return undefined;
  if (r.tokensEstimated !== undefined && typeof r.tokensEstimated !== "boolean") return undefined;
  if (r.drafting !== undefined && typeof r.drafting !== "boolean") return undefined;
  return value as UsageRecord;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** A non-negative number rounded to `1 / scale` (times in whole ms, speeds to a tenth). */
export function round(value: number, scale = 1): number {
  return Math.max(0, Math.round(value * scale) / scale);
}

/** The record fields a backend call's metrics give, the same for every feature; none when there were no metrics. */
export function metricsFields(m: RequestMetrics | undefined): Partial<UsageRecord> {
  if (!m) return {};
  return {
    promptTokens: m.promptTokens,
    reusedTokens: m.reusedTokens,
    generatedTokens: m.generatedTokens,
    ...(m.timeToFirstTokenMs !== null ? { ttftMs: round(m.timeToFirstTokenMs) } : {}),
    ...(m.tokensPerSecond !== null ? { tokensPerSecond: round(m.tokensPerSecond, 10) } : {}),
    stopReason: m.stopReason,
    ...(m.tokensEstimated ? { tokensEstimated: true } : {}),
    ...(m.speculative ? { drafting: m.speculative.drafting, draftsAccepted: m.speculative.accepted, draftsRejected: m.speculative.rejected } : {}),
  };
}
