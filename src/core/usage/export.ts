/**
 * Export of the records in a range, as CSV (one row per request, fixed columns) or JSON (the summary and the
 * records). Both hold the log's metadata only: nothing here adds content.
 */
import type { UsageSummary } from "./aggregate.ts";
import type { UsageRecord } from "./record.ts";

export const CSV_COLUMNS = [
  "t",
  "feature",
  "backend",
  "model",
  "lang",
  "outcome",
  "acceptedBy",
  "acceptedChars",
  "source",
  "cacheHit",
  "reason",
  "promptTokens",
  "reusedTokens",
  "generatedTokens",
  "ttftMs",
  "totalMs",
  "tokensPerSecond",
  "stopReason",
  "tokensEstimated",
  "drafting",
  "draftsAccepted",
  "draftsRejected",
  "redactions",
] as const satisfies readonly (keyof UsageRecord)[];

/** A CSV field: quoted when it holds a comma, a quote or a line break; a leading =+-@ is defused for spreadsheets. */
function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) return "";
  let text = typeof value === "string" ? value : String(value);
  if (typeof value === "string" && /^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The records as CSV with a header row; time as ISO 8601 (UTC). */
export function usageCsv(records: readonly UsageRecord[]): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const r of records) {
    rows.push(CSV_COLUMNS.map((c) => (c === "t" ? new Date(r.t).toISOString() : csvField(r[c]))).join(","));
  }
  return `${rows.join("\r\n")}\r\n`;
}

/** The summary and the records as JSON. */
export function usageJson(summary: UsageSummary, records: readonly UsageRecord[]): string {
  return JSON.stringify({ exportedAt: new Date(summary.to).toISOString(), summary, records }, null, 1);
}
