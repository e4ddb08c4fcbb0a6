/**
 * The statistics dashboard's host side on a 100,000-line usage log (29.7 MB, 45 days): read the files, index the
 * lines, parse the selected range and aggregate it, as `StatisticsView` does when it opens (7 days) and when the user
 * picks "all". Wall and CPU time per opening, JSON lines. The page's own time (drawing the charts) is printed by the
 * UI script 06, which also measures command → charts on screen in the real workbench.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { rangeStart, summarize, type UsageRange } from "../src/core/usage/aggregate.ts";
import { UsageLogLines } from "../src/core/usage/reader.ts";
import { USAGE_FILE } from "../src/core/usage/writer.ts";
import { readUsageTexts } from "../src/extension/usage/usageFiles.ts";
import { fixtureLogText, fixtureRecords } from "../test/fixtures/usage/generate.ts";

const LINES = 100_000;
const RUNS = 15;

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

async function openOnce(dir: string, ranges: readonly UsageRange[]): Promise<{ wallMs: number; cpuMs: number; records: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const lines = new UsageLogLines(await readUsageTexts(dir));
  const now = Date.now();
  let records = 0;
  for (const range of ranges) {
    const selected = lines.select(rangeStart(range, now));
    records = summarize(selected.records, range, now, selected.skipped).records;
  }
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000, records };
}

const dir = mkdtempSync(path.join(os.tmpdir(), "pc-statistics-bench-"));
try {
  const text = fixtureLogText(fixtureRecords({ count: LINES, days: 45, end: Date.now() }));
  writeFileSync(path.join(dir, USAGE_FILE), text);
  for (const [name, ranges] of [["open (7 days)", ["7d"]], ["open, then all", ["7d", "all"]]] as const) {
    await openOnce(dir, ranges); // warm the JIT and the page cache, as a second opening would be
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await openOnce(dir, ranges));
    const wall = runs.map((r) => r.wallMs);
    const cpu = runs.map((r) => r.cpuMs);
    console.log(JSON.stringify({ bench: "statistics", case: name, lines: LINES, mb: Math.round(text.length / 1e5) / 10, records: runs[0].records, runs: RUNS, wallP50Ms: pct(wall, 50), wallP95Ms: pct(wall, 95), cpuP50Ms: pct(cpu, 50), cpuP95Ms: pct(cpu, 95), loadAverage: os.loadavg()[0] }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
