/**
 * The statistics the dashboard draws, computed from the log's records in one pass per range: requests per day by
 * feature, completion acceptance, latency percentiles and histograms, prompt-processing and generation speed over
 * time, KV-cache reuse and the result-cache hit rate. Pure and fast enough for 100,000 records in well under a
 * second; the host runs it, the webview only draws.
 */
import type { UsageFeature, UsageRecord } from "./record.ts";
import { medianToTenth } from "../median.ts";

export type UsageRange = "today" | "7d" | "30d" | "all";
export const USAGE_RANGES: readonly UsageRange[] = ["today", "7d", "30d", "all"];

/** Upper edges (ms) of the latency histogram's buckets; one more bucket holds everything slower. */
export const LATENCY_EDGES_MS: readonly number[] = [50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

/** At most this many points in the speed series (averaged per time slice). */
export const SPEED_POINTS = 200;

export interface LatencyStats {
  readonly count: number;
  readonly p50: number | null;
  readonly p95: number | null;
  /** Requests per bucket of {@link LATENCY_EDGES_MS} (length = edges + 1). */
  readonly histogram: readonly number[];
}

export interface AcceptanceStats {
  /** Completions shown to the user (whatever became of them). */
  readonly shown: number;
  /** Accepted whole or in part. */
  readonly accepted: number;
  /** Of `accepted`, taken by word or line only. */
  readonly acceptedPartly: number;
  readonly typedThrough: number;
  readonly dismissed: number;
  /** accepted / shown, or null with nothing shown. */
  readonly rate: number | null;
  readonly acceptedChars: number;
  readonly perDayRate: readonly (number | null)[];
  readonly perDayChars: readonly number[];
}

export interface UsageSummary {
  readonly range: UsageRange;
  /** Start of the range (local midnight), null for `all`. */
  readonly from: number | null;
  readonly to: number;
  /** Records in the range. */
  readonly records: number;
  /** Lines of the log that were not records. */
  readonly skippedLines: number;
  readonly byFeature: Readonly<Record<UsageFeature, number>>;
  /** Local midnights of the days shown, oldest first. */
  readonly days: readonly number[];
  readonly requestsPerDay: Readonly<Record<UsageFeature, readonly number[]>>;
  readonly acceptance: AcceptanceStats;
  readonly latency: Readonly<Record<UsageFeature, LatencyStats>>;
  /** Prompt processing (prefill) and generation tokens/s over time, averaged per slice; null where none. */
  readonly speed: { readonly t: readonly number[]; readonly prefill: readonly (number | null)[]; readonly generation: readonly (number | null)[] };
  readonly kv: { readonly promptTokens: number; readonly reusedTokens: number; readonly reuseRate: number | null };
  /** Completions served from memory (result cache or typing through) of those served at all. */
  readonly cache: { readonly served: number; readonly hits: number; readonly hitRate: number | null };
  /**
   * Speculative decoding where the engine reported it (completions and edits): requests that could draft, those that
   * did, the drafted tokens confirmed and refuted, and the median generation tokens/s of requests made each way.
   */
  readonly drafting: {
    readonly requests: number;
    readonly drafted: number;
    readonly accepted: number;
    readonly rejected: number;
    readonly confirmedRate: number | null;
    readonly generation: { readonly drafting: number | null; readonly plain: number | null };
  };
  readonly redactions: number;
}

const DAY_MS = 86_400_000;
const SHOWN: ReadonlySet<string> = new Set(["shown", "accepted", "typedThrough", "dismissed"]);
const SERVED: ReadonlySet<string> = new Set(["shown", "accepted", "typedThrough", "dismissed", "empty"]);

/** Local midnight of the day `t` falls in. */
export function startOfDay(t: number): number {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** The local midnight after `dayStart` (23, 24 or 25 hours later). */
function nextDay(dayStart: number): number {
  const d = new Date(dayStart + DAY_MS + 3 * 3_600_000);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Where a range starts: today's, 7 or 30 days' local midnight; null for all. */
export function rangeStart(range: UsageRange, now: number): number | null {
  const today = startOfDay(now);
  if (range === "today") return today;
  if (range === "all") return null;
  const d = new Date(today);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - (range === "7d" ? 6 : 29)).getTime();
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The bucket of {@link LATENCY_EDGES_MS} a latency falls in. */
export function latencyBucket(ms: number): number {
  let i = 0;
  while (i < LATENCY_EDGES_MS.length && ms >= LATENCY_EDGES_MS[i]) i++;
  return i;
}

/** Which latency a record contributes: a request the model answered (completions served from memory take ~0 ms). */
function latencyOf(r: UsageRecord): number | undefined {
  if (r.feature === "chat" || r.feature === "explain") return r.outcome === "answered" ? r.totalMs : undefined;
  return r.source === "engine" && (SERVED.has(r.outcome) || r.outcome === "ready") ? r.totalMs : undefined;
}

/**
 * Prefill speed: evaluated prompt tokens over the time to the first token (ignores tiny prompts: all overhead, and
 * estimated counts: a server that reports no counts gives no speed).
 */
export function prefillSpeed(r: UsageRecord): number | undefined {
  if (r.tokensEstimated === true || r.promptTokens === undefined || r.ttftMs === undefined || r.ttftMs <= 0) return undefined;
  const evaluated = r.promptTokens - (r.reusedTokens ?? 0);
  return evaluated >= 16 ? (evaluated * 1000) / r.ttftMs : undefined;
}

function perFeature<T>(make: () => T): Record<UsageFeature, T> {
  return { completion: make(), prefetch: make(), chat: make(), explain: make() };
}

/** The summary of `records` (sorted by time) in `range`, as of `now`. */
export function summarize(records: readonly UsageRecord[], range: UsageRange, now: number, skippedLines = 0): UsageSummary {
  const from = rangeStart(range, now);
  let first = 0;
  if (from !== null) {
    // Binary search: records are sorted by time.
    let lo = 0;
    let hi = records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (records[mid].t < from) lo = mid + 1;
      else hi = mid;
    }
    first = lo;
  }
  const inRange = records.slice(first).filter((r) => r.t <= now);
  const days: number[] = [];
  let day = from ?? (inRange.length > 0 ? startOfDay(inRange[0].t) : startOfDay(now));
  const lastDay = startOfDay(now);
  while (day <= lastDay) {
    days.push(day);
    day = nextDay(day);
  }
  const requestsPerDay = perFeature(() => new Array<number>(days.length).fill(0));
  const byFeature = perFeature(() => 0);
  const latencies = perFeature((): number[] => []);
  const dayShown = new Array<number>(days.length).fill(0);
  const dayAccepted = new Array<number>(days.length).fill(0);
  const dayChars = new Array<number>(days.length).fill(0);
  let shown = 0;
  let accepted = 0;
  let acceptedPartly = 0;
  let typedThrough = 0;
  let dismissed = 0;
  let acceptedChars = 0;
  let promptTokens = 0;
  let reusedTokens = 0;
  let served = 0;
  let hits = 0;
  let redactions = 0;
  const speedPoints: { t: number; prefill?: number; generation?: number }[] = [];
  const drafts = { requests: 0, drafted: 0, accepted: 0, rejected: 0 };
  const generationBy: { drafting: number[]; plain: number[] } = { drafting: [], plain: [] };

  let dayIndex = 0;
  for (const r of inRange) {
    while (dayIndex + 1 < days.length && r.t >= days[dayIndex + 1]) dayIndex++;
    byFeature[r.feature]++;
    requestsPerDay[r.feature][dayIndex]++;
    redactions += r.redactions;
    if (r.feature === "completion") {
      if (SHOWN.has(r.outcome)) {
        shown++;
        dayShown[dayIndex]++;
      }
      if (r.outcome === "accepted") {
        accepted++;
        dayAccepted[dayIndex]++;
        if (r.acceptedBy === "word" || r.acceptedBy === "line") acceptedPartly++;
        acceptedChars += r.acceptedChars ?? 0;
        dayChars[dayIndex] += r.acceptedChars ?? 0;
      } else if (r.outcome === "typedThrough") typedThrough++;
      else if (r.outcome === "dismissed") dismissed++;
      if (SERVED.has(r.outcome)) {
        served++;
        if (r.cacheHit === true) hits++;
      }
    }
    const latency = latencyOf(r);
    if (latency !== undefined) latencies[r.feature].push(latency);
    // KV reuse from counts only: an estimate knows nothing of the server's cache and would pull the rate down.
    if (r.promptTokens !== undefined && r.tokensEstimated !== true) {
      promptTokens += r.promptTokens;
      reusedTokens += Math.min(r.reusedTokens ?? 0, r.promptTokens);
    }
    const prefill = prefillSpeed(r);
    const generation = r.tokensPerSecond !== undefined && r.tokensPerSecond > 0 ? r.tokensPerSecond : undefined;
    if (prefill !== undefined || generation !== undefined) speedPoints.push({ t: r.t, prefill, generation });
    if (r.drafting !== undefined) {
      drafts.requests++;
      if (r.drafting) drafts.drafted++;
      drafts.accepted += r.draftsAccepted ?? 0;
      drafts.rejected += r.draftsRejected ?? 0;
      if (generation !== undefined) generationBy[r.drafting ? "drafting" : "plain"].push(generation);
    }
  }

  return {
    range,
    from,
    to: now,
    records: inRange.length,
    skippedLines,
    byFeature,
    days,
    requestsPerDay,
    acceptance: {
      shown,
      accepted,
      acceptedPartly,
      typedThrough,
      dismissed,
      rate: shown > 0 ? accepted / shown : null,
      acceptedChars,
      perDayRate: dayShown.map((n, i) => (n > 0 ? dayAccepted[i] / n : null)),
      perDayChars: dayChars,
    },
    latency: {
      completion: latencyStats(latencies.completion),
      prefetch: latencyStats(latencies.prefetch),
      chat: latencyStats(latencies.chat),
      explain: latencyStats(latencies.explain),
    },
    speed: speedSeries(speedPoints),
    kv: { promptTokens, reusedTokens, reuseRate: promptTokens > 0 ? reusedTokens / promptTokens : null },
    cache: { served, hits, hitRate: served > 0 ? hits / served : null },
    drafting: {
      ...drafts,
      confirmedRate: drafts.accepted + drafts.rejected > 0 ? drafts.accepted / (drafts.accepted + drafts.rejected) : null,
      generation: { drafting: medianToTenth(generationBy.drafting), plain: medianToTenth(generationBy.plain) },
    },
    redactions,
  };
}

function latencyStats(values: number[]): LatencyStats {
  const sorted = Float64Array.from(values).sort();
  const histogram = new Array<number>(LATENCY_EDGES_MS.length + 1).fill(0);
  for (const v of sorted) histogram[latencyBucket(v)]++;
  const list = Array.from(sorted);
  return { count: list.length, p50: percentile(list, 50), p95: percentile(list, 95), histogram };
}

/** Averages per time slice, at most {@link SPEED_POINTS} slices between the first and the last point. */
function speedSeries(points: readonly { t: number; prefill?: number; generation?: number }[]): UsageSummary["speed"] {
  const t: number[] = [];
  const prefill: (number | null)[] = [];
  const generation: (number | null)[] = [];
  if (points.length === 0) return { t, prefill, generation };
  const start = points[0].t;
  const span = Math.max(1, points[points.length - 1].t - start);
  const slice = Math.max(1, span / SPEED_POINTS);
  let i = 0;
  while (i < points.length) {
    const index = Math.min(SPEED_POINTS - 1, Math.floor((points[i].t - start) / slice));
    let sumT = 0;
    let n = 0;
    let sumP = 0;
    let nP = 0;
    let sumG = 0;
    let nG = 0;
    while (i < points.length && Math.min(SPEED_POINTS - 1, Math.floor((points[i].t - start) / slice)) === index) {
      const p = points[i++];
      sumT += p.t;
      n++;
      if (p.prefill !== undefined) {
        sumP += p.prefill;
        nP++;
      }
      if (p.generation !== undefined) {
        sumG += p.generation;
        nG++;
      }
    }
    t.push(Math.round(sumT / n));
    prefill.push(nP > 0 ? Math.round((sumP / nP) * 10) / 10 : null);
    generation.push(nG > 0 ? Math.round((sumG / nG) * 10) / 10 : null);
  }
  return { t, prefill, generation };
}
