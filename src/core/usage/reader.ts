/**
 * Reads the usage log back: every well-formed line becomes a record, anything else (a line cut short by a crash, a
 * hand edit, a future format) is counted and skipped, never an error.
 */
import { parseUsageRecord, type UsageRecord } from "./record.ts";

export interface ParsedUsageLog {
  readonly records: UsageRecord[];
  /** Lines that were not a record (blank lines are not counted). */
  readonly skipped: number;
}

/** The records of the log files' texts, oldest file first; the result is sorted by time. */
export function parseUsageLog(texts: readonly string[]): ParsedUsageLog {
  const records: UsageRecord[] = [];
  let skipped = 0;
  for (const text of texts) {
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      const line = text.slice(start, end).trim();
      start = end + 1;
      if (line === "") continue;
      const record = parseUsageRecord(line);
      if (record) records.push(record);
      else skipped++;
    }
  }
  // Files are in order already; a clock change may not be.
  let sorted = true;
  for (let i = 1; i < records.length && sorted; i++) sorted = records[i - 1].t <= records[i].t;
  if (!sorted) records.sort((a, b) => a.t - b.t);
  return { records, skipped };
}
