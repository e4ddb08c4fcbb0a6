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
  return new UsageLogLines(texts).select(null);
}

/** What every line the writer makes starts with: the time can be read without parsing the line. */
const CANONICAL_PREFIX = '{"v":1,"t":';

/** The time at the start of a canonical line, or NaN (the line is then parsed whatever the range). */
export function lineTime(line: string): number {
  if (!line.startsWith(CANONICAL_PREFIX)) return Number.NaN;
  let t = 0;
  let i = CANONICAL_PREFIX.length;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    t = t * 10 + c;
  }
  return i > CANONICAL_PREFIX.length && line.charCodeAt(i) === 44 /* , */ ? t : Number.NaN;
}

/**
 * The log's lines, parsed only when a range needs them: opening the dashboard on the last 7 days of a 100,000-line
 * log parses that week's lines, not the year before. Parsed lines are kept for the next range.
 */
export class UsageLogLines {
  private readonly lines: string[] = [];
  private readonly times: Float64Array;
  /** undefined: not parsed yet; null: not a record; false: blank. */
  private readonly parsed: (UsageRecord | null | false | undefined)[];

  constructor(texts: readonly string[]) {
    for (const text of texts) {
      let start = 0;
      while (start < text.length) {
        let end = text.indexOf("\n", start);
        if (end === -1) end = text.length;
        if (end > start) this.lines.push(text.slice(start, end));
        start = end + 1;
      }
    }
    this.times = new Float64Array(this.lines.length);
    for (let i = 0; i < this.lines.length; i++) this.times[i] = lineTime(this.lines[i]);
    this.parsed = new Array<UsageRecord | null | false | undefined>(this.lines.length);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Records at or after `from` (all for null), sorted by time, and the unreadable lines among those looked at. */
  select(from: number | null): ParsedUsageLog {
    const records: UsageRecord[] = [];
    let skipped = 0;
    for (let i = 0; i < this.lines.length; i++) {
      // NaN compares false: a line without a readable time is looked at whatever the range.
      if (from !== null && this.times[i] < from) continue;
      let record = this.parsed[i];
      if (record === undefined) {
        const line = this.lines[i].trim();
        record = line === "" ? false : (parseUsageRecord(line) ?? null);
        this.parsed[i] = record;
      }
      if (record === null) skipped++;
      else if (record !== false && (from === null || record.t >= from)) records.push(record);
    }
    let sorted = true;
    for (let i = 1; i < records.length && sorted; i++) sorted = records[i - 1].t <= records[i].t;
    if (!sorted) records.sort((a, b) => a.t - b.t);
    return { records, skipped };
  }
}
