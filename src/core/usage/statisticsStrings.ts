/**
 * The statistics webview's strings with their English texts. The host translates each (`localizedStatisticsStrings`
 * in src/extension/usage/statisticsStrings.ts, literal `vscode.l10n.t` calls the export tool finds) and writes them
 * into the page as JSON; the page falls back to these for anything missing.
 */
export const STATISTICS_STRINGS = {
  title: "Private Coder Statistics",
  today: "Today",
  days7: "7 days",
  days30: "30 days",
  all: "All",
  exportCsv: "Export CSV",
  exportJson: "Export JSON",
  clear: "Clear Log",
  empty: "No requests in this range yet. Completions, chat and Explain Selection are logged here as you use them.",
  loggingOff: "The usage log is turned off (setting privateCoder.usage.enabled): nothing new is recorded.",
  requests: "Requests",
  acceptance: "Completions accepted",
  charsAccepted: "Characters accepted",
  completionLatency: "Completion latency p50 / p95",
  chatLatency: "Chat latency p50 / p95",
  kvReuse: "KV cache reuse",
  cacheHitRate: "Completion cache hits",
  redactions: "Secrets redacted",
  draftsConfirmed: "Drafted tokens confirmed",
  draftingSpeed: "Generation tokens/s drafting / plain",
  requestsPerDay: "Requests per day",
  acceptancePerDay: "Completion acceptance per day",
  acceptanceRate: "Accepted %",
  latencyHistogram: "Latency: {0} (p50 {1}, p95 {2})",
  speedOverTime: "Speed over time",
  prefill: "Prompt processing tokens/s",
  generation: "Generation tokens/s",
  completion: "Completion",
  prefetch: "Prefetch",
  chat: "Chat",
  explain: "Explain",
  skipped: "{0} unreadable line(s) in the log were skipped.",
  summaryLine: "{0} requests · read and aggregated in {1} ms",
} as const;

export type StatisticsStringKey = keyof typeof STATISTICS_STRINGS;
export type StatisticsStrings = Record<StatisticsStringKey, string>;
export const STATISTICS_STRINGS_ELEMENT_ID = "privateCoder-statistics-strings";

/** The strings the page received, English for anything missing or not a string. */
export function parseStatisticsStrings(value: unknown): StatisticsStrings {
  const given = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const out = { ...STATISTICS_STRINGS } as StatisticsStrings;
  for (const key of Object.keys(STATISTICS_STRINGS) as StatisticsStringKey[]) {
    const text = given[key];
    if (typeof text === "string") out[key] = text;
  }
  return out;
}
