// The dashboard's aggregation on fixture logs: percentiles, acceptance, per-day buckets, ranges, speed series, KV
// reuse and cache hit rate; and the time a 100,000-line log takes to read and aggregate (printed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { latencyBucket, parseUsageLog, UsageLogLines, percentile, prefillSpeed, rangeStart, startOfDay, summarize, usageCsv, CSV_COLUMNS, SPEED_POINTS, type UsageRecord } from "../../src/core/usage/index.ts";
import { fixtureLogText, fixtureRecords } from "../fixtures/usage/generate.ts";

const NOW = new Date(2026, 11, 3, 15, 0, 0).getTime();
const DAY = 86_400_000;
const at = (daysAgo: number, hour = 12): number => {
  const d = new Date(NOW);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - daysAgo, hour).getTime();
};

function r(t: number, extra: Partial<UsageRecord>): UsageRecord {
  return { v: 1, t, feature: "completion", backend: "local", outcome: "shown", totalMs: 0, redactions: 0, ...extra };
}

/** A small log whose every statistic is known by hand. */
const SMALL: UsageRecord[] = [
  r(at(10), { outcome: "accepted", acceptedBy: "full", acceptedChars: 10, source: "engine", cacheHit: false, totalMs: 100, promptTokens: 100, reusedTokens: 50, ttftMs: 50, generatedTokens: 10, tokensPerSecond: 40 }),
  r(at(2), { outcome: "dismissed", source: "engine", cacheHit: false, totalMs: 200, promptTokens: 200, reusedTokens: 150, ttftMs: 100, tokensPerSecond: 20 }),
  r(at(2, 13), { outcome: "accepted", acceptedBy: "word", acceptedChars: 4, source: "cache", cacheHit: true, totalMs: 1 }),
  r(at(1), { outcome: "typedThrough", source: "typeThrough", cacheHit: true, totalMs: 2 }),
  r(at(1, 13), { outcome: "cancelled", source: "engine", cacheHit: false, totalMs: 300 }),
  r(at(0, 9), { outcome: "accepted", acceptedBy: "full", acceptedChars: 6, source: "engine", cacheHit: false, totalMs: 400, redactions: 2 }),
  r(at(0, 10), { feature: "chat", outcome: "answered", totalMs: 3000, promptTokens: 1000, reusedTokens: 0, ttftMs: 500, generatedTokens: 100, tokensPerSecond: 25 }),
  r(at(0, 11), { feature: "explain", outcome: "answered", totalMs: 5000, redactions: 1 }),
  r(at(0, 11), { feature: "prefetch", outcome: "ready", source: "engine", cacheHit: false, totalMs: 150 }),
  r(at(0, 11), { feature: "chat", outcome: "stopped", totalMs: 800 }),
];

test("percentile is nearest-rank; latency buckets follow the edges", () => {
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([7], 95), 7);
  const values = Array.from({ length: 100 }, (_v, i) => i + 1);
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 95), 95);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(latencyBucket(0), 0);
  assert.equal(latencyBucket(49), 0);
  assert.equal(latencyBucket(50), 1);
  assert.equal(latencyBucket(999_999), 12);
});

test("ranges start at local midnight: today, 7 and 30 days, all", () => {
  assert.equal(rangeStart("today", NOW), startOfDay(NOW));
  assert.equal(rangeStart("7d", NOW), at(6, 0));
  assert.equal(rangeStart("30d", NOW), at(29, 0));
  assert.equal(rangeStart("all", NOW), null);
});

test("all: counts, acceptance, latency, KV reuse and cache hits of a hand-checked log", () => {
  const s = summarize(SMALL, "all", NOW, 3);
  assert.equal(s.records, 10);
  assert.equal(s.skippedLines, 3);
  assert.deepEqual(s.byFeature, { completion: 6, prefetch: 1, chat: 2, explain: 1 });
  // Shown = accepted 3 + dismissed 1 + typed through 1; cancelled is not shown.
  assert.equal(s.acceptance.shown, 5);
  assert.equal(s.acceptance.accepted, 3);
  assert.equal(s.acceptance.acceptedPartly, 1);
  assert.equal(s.acceptance.typedThrough, 1);
  assert.equal(s.acceptance.dismissed, 1);
  assert.equal(s.acceptance.rate, 3 / 5);
  assert.equal(s.acceptance.acceptedChars, 20);
  // Completion latency: requests the model answered (100, 200, 400); the cache and typing-through are not latency.
  assert.deepEqual([s.latency.completion.count, s.latency.completion.p50, s.latency.completion.p95], [3, 200, 400]);
  assert.deepEqual([s.latency.chat.count, s.latency.chat.p50], [1, 3000], "a stopped answer has no latency");
  assert.equal(s.latency.explain.p95, 5000);
  assert.equal(s.latency.prefetch.count, 1);
  assert.equal(s.latency.completion.histogram.reduce((a, b) => a + b, 0), 3);
  assert.equal(s.latency.completion.histogram[latencyBucket(200)], 1);
  assert.deepEqual(s.kv, { promptTokens: 1300, reusedTokens: 200, reuseRate: 200 / 1300 });
  // Served completions: accepted ×3, dismissed, typed through = 5; from memory: 2.
  assert.deepEqual(s.cache, { served: 5, hits: 2, hitRate: 2 / 5 });
  assert.equal(s.redactions, 3);
  assert.equal(s.days.length, 11);
  assert.equal(s.days[0], at(10, 0));
});

test("per-day buckets and ranges: 7 days and today", () => {
  const week = summarize(SMALL, "7d", NOW);
  assert.equal(week.days.length, 7);
  assert.equal(week.records, 9, "the record 10 days ago is out");
  assert.deepEqual(week.requestsPerDay.completion, [0, 0, 0, 0, 2, 2, 1]);
  assert.deepEqual(week.requestsPerDay.chat, [0, 0, 0, 0, 0, 0, 2]);
  assert.deepEqual(week.acceptance.perDayRate, [null, null, null, null, 0.5, 0, 1]);
  assert.deepEqual(week.acceptance.perDayChars, [0, 0, 0, 0, 4, 0, 6]);
  const today = summarize(SMALL, "today", NOW);
  assert.equal(today.records, 5);
  assert.deepEqual(today.days, [startOfDay(NOW)]);
  assert.equal(today.acceptance.rate, 1);
  const future = summarize([...SMALL, r(NOW + DAY, { outcome: "accepted" })], "all", NOW);
  assert.equal(future.records, 10, "records after now are not counted");
});

test("speed: prefill from evaluated tokens over time to first token; generation from tokens/s", () => {
  assert.equal(prefillSpeed(SMALL[0]), 1000, "50 evaluated tokens in 50 ms");
  assert.equal(prefillSpeed(r(0, { promptTokens: 20, reusedTokens: 10, ttftMs: 5 })), undefined, "too few tokens to say");
  const s = summarize(SMALL, "all", NOW);
  assert.equal(s.speed.t.length, 3);
  assert.deepEqual(s.speed.generation, [40, 20, 25]);
  assert.deepEqual(s.speed.prefill, [1000, 500, 2000]);
});

test("speculative decoding: drafted tokens confirmed and generation speed drafting vs plain, from the requests that reported it", () => {
  const log = [
    ...SMALL,
    r(at(0, 12), { outcome: "shown", drafting: true, draftsAccepted: 30, draftsRejected: 10, tokensPerSecond: 50 }),
    r(at(0, 12), { outcome: "shown", drafting: true, draftsAccepted: 0, draftsRejected: 0, tokensPerSecond: 60 }),
    r(at(0, 12), { outcome: "shown", drafting: false, draftsAccepted: 0, draftsRejected: 0, tokensPerSecond: 40 }),
    r(at(0, 13), { feature: "chat", outcome: "answered", drafting: true, draftsAccepted: 90, draftsRejected: 30, tokensPerSecond: 70 }),
  ];
  const d = summarize(log, "all", NOW).drafting;
  assert.equal(d.requests, 4, "only requests that reported drafting count");
  assert.equal(d.drafted, 3);
  assert.equal(d.accepted, 120);
  assert.equal(d.rejected, 40);
  assert.equal(d.confirmedRate, 0.75);
  assert.deepEqual(d.generation, { drafting: 60, plain: 40 });
  const none = summarize(SMALL, "all", NOW).drafting;
  assert.deepEqual(none, { requests: 0, drafted: 0, accepted: 0, rejected: 0, confirmedRate: null, generation: { drafting: null, plain: null } });
});

test("an empty log gives an empty summary without errors", () => {
  const s = summarize([], "30d", NOW);
  assert.equal(s.records, 0);
  assert.equal(s.days.length, 30);
  assert.equal(s.acceptance.rate, null);
  assert.equal(s.latency.chat.p50, null);
  assert.equal(s.kv.reuseRate, null);
  assert.equal(s.cache.hitRate, null);
  assert.deepEqual(s.speed.t, []);
});

test("100,000 generated lines: read and aggregate in well under a second (times printed)", () => {
  const text = fixtureLogText(fixtureRecords({ count: 100_000, days: 45, end: NOW }));
  const cpu = process.cpuUsage();
  const started = performance.now();
  const log = new UsageLogLines(["", text]);
  const week = log.select(rangeStart("7d", NOW));
  const weekSummary = summarize(week.records, "7d", NOW, week.skipped);
  const weekMs = performance.now() - started;
  const weekCpuMs = process.cpuUsage(cpu).user / 1000;
  const all = log.select(null);
  const allSummary = summarize(all.records, "all", NOW, all.skipped);
  const allMs = performance.now() - started;
  const allCpuMs = process.cpuUsage(cpu).user / 1000;
  console.log(
    `usage log: ${(text.length / 1e6).toFixed(1)} MB, 100,000 lines: open on 7 days ${weekMs.toFixed(0)} ms (cpu ${weekCpuMs.toFixed(0)} ms), then all ${allMs.toFixed(0)} ms in total (cpu ${allCpuMs.toFixed(0)} ms)`,
  );
  assert.equal(all.records.length, 100_000);
  assert.equal(all.skipped, 0);
  assert.equal(allSummary.records, 100_000);
  assert.ok(weekSummary.records > 10_000 && weekSummary.records < 20_000, String(weekSummary.records));
  assert.deepEqual(summarize(parseUsageLog([text]).records, "7d", NOW), weekSummary, "lazy and full parsing agree");
  assert.ok(allSummary.speed.t.length <= SPEED_POINTS);
  assert.ok(allSummary.acceptance.rate !== null && allSummary.acceptance.rate > 0.2 && allSummary.acceptance.rate < 0.5);
  // Generation slows down over the fixture's time: the series shows it.
  const gen = allSummary.speed.generation.filter((v): v is number => v !== null);
  assert.ok(gen[0] > gen[gen.length - 1]);
  // Generous for a loaded shared machine.
  assert.ok(allMs < 10_000, `${allMs} ms`);
});

test("CSV export: a header and one row per record, fields quoted, formulas defused", () => {
  const csv = usageCsv([r(at(0), { model: 'a,"b"', reason: "=cmd", outcome: "error" })]);
  const [header, row] = csv.trimEnd().split("\r\n");
  assert.equal(header, CSV_COLUMNS.join(","));
  assert.match(row, /"a,""b"""/);
  assert.match(row, /'=cmd/);
  assert.equal(row.split(",")[0], new Date(at(0)).toISOString());
});
