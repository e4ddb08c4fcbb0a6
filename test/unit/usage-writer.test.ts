// The usage log's writer and reader: batching off the typing path, the size cap with rotation, clearing, and corrupt
// or truncated lines skipped on read. Files and timers are in memory; the format is the real one.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lineTime, parseUsageLog, parseUsageRecord, UsageLogLines, USAGE_FILE, USAGE_OLD_FILE, UsageLogWriter, utf8Length, type UsageFiles, type UsageRecord, type UsageTimers } from "../../src/core/usage/index.ts";

class MemFiles implements UsageFiles {
  readonly files = new Map<string, string>();
  appends = 0;
  fail = false;
  append(name: string, text: string): Promise<void> {
    if (this.fail) return Promise.reject(Object.assign(new Error("disk full"), { code: "ENOSPC" }));
    this.appends++;
    this.files.set(name, (this.files.get(name) ?? "") + text);
    return Promise.resolve();
  }
  size(name: string): Promise<number> {
    return Promise.resolve(utf8Length(this.files.get(name) ?? ""));
  }
  rename(from: string, to: string): Promise<void> {
    const text = this.files.get(from);
    if (text !== undefined) this.files.set(to, text);
    this.files.delete(from);
    return Promise.resolve();
  }
  remove(name: string): Promise<void> {
    this.files.delete(name);
    return Promise.resolve();
  }
  bytes(): number {
    return [...this.files.values()].reduce((n, t) => n + utf8Length(t), 0);
  }
}

class ManualTimers implements UsageTimers {
  readonly pending = new Map<number, () => void>();
  private next = 1;
  set(callback: () => void): unknown {
    const id = this.next++;
    this.pending.set(id, callback);
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fire(): void {
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const c of callbacks) c();
  }
}

function record(i: number, extra: Partial<UsageRecord> = {}): UsageRecord {
  return { v: 1, t: 1_700_000_000_000 + i * 1000, feature: "completion", backend: "local", outcome: "accepted", totalMs: 100 + i, redactions: 0, ...extra };
}

test("write only queues: nothing touches the disk until the timer or a full batch", async () => {
  const files = new MemFiles();
  const timers = new ManualTimers();
  const writer = new UsageLogWriter({ files, maxBytes: () => 1 << 20, timers, batchSize: 5 });
  for (let i = 0; i < 3; i++) writer.write(record(i));
  assert.equal(files.appends, 0);
  assert.equal(writer.queued, 3);
  assert.equal(timers.pending.size, 1, "one timer for the whole batch");
  timers.fire();
  await writer.flush();
  assert.equal(files.appends, 1, "three records, one append");
  for (let i = 3; i < 8; i++) writer.write(record(i));
  await writer.flush();
  const parsed = parseUsageLog([files.files.get(USAGE_FILE) ?? ""]);
  assert.equal(parsed.records.length, 8);
  assert.equal(parsed.skipped, 0);
  assert.deepEqual(parsed.records[7], record(7));
});

test("a full batch flushes without waiting for the timer", async () => {
  const files = new MemFiles();
  const writer = new UsageLogWriter({ files, maxBytes: () => 1 << 20, timers: new ManualTimers(), batchSize: 4 });
  for (let i = 0; i < 4; i++) writer.write(record(i));
  assert.equal(writer.queued, 0);
  await writer.flush();
  assert.equal(parseUsageLog([files.files.get(USAGE_FILE) ?? ""]).records.length, 4);
});

test("the cap holds across rotations: the current file becomes usage.1.jsonl at half the cap, the oldest go", async () => {
  const files = new MemFiles();
  const cap = 8 * 1024;
  const writer = new UsageLogWriter({ files, maxBytes: () => cap, timers: new ManualTimers(), batchSize: 7 });
  const lineBytes = utf8Length(JSON.stringify(record(0))) + 1;
  const total = Math.ceil((cap * 3) / lineBytes);
  for (let i = 0; i < total; i++) {
    writer.write(record(i));
    assert.ok(files.bytes() <= cap, `after ${i} records the log holds ${files.bytes()} bytes`);
  }
  await writer.flush();
  assert.ok(files.bytes() <= cap);
  assert.ok(files.files.has(USAGE_OLD_FILE), "rotated");
  const parsed = parseUsageLog([files.files.get(USAGE_OLD_FILE) ?? "", files.files.get(USAGE_FILE) ?? ""]);
  assert.equal(parsed.skipped, 0, "rotation never cuts a line");
  assert.equal(parsed.records.at(-1)?.totalMs, record(total - 1).totalMs, "the newest record is kept");
  assert.ok(parsed.records[0].t > record(0).t, "the oldest records were dropped");
  // Contiguous: the records kept are the newest ones, in order.
  for (let i = 1; i < parsed.records.length; i++) assert.equal(parsed.records[i].t - parsed.records[i - 1].t, 1000);
});

test("a smaller cap applies at the next flush", async () => {
  const files = new MemFiles();
  let cap = 1 << 20;
  const writer = new UsageLogWriter({ files, maxBytes: () => cap, timers: new ManualTimers(), batchSize: 1000 });
  for (let i = 0; i < 200; i++) writer.write(record(i));
  await writer.flush();
  cap = 4096;
  for (let i = 200; i < 260; i++) writer.write(record(i));
  await writer.flush();
  assert.ok(utf8Length(files.files.get(USAGE_FILE) ?? "") <= cap / 2);
});

test("clear deletes both files and what was queued", async () => {
  const files = new MemFiles();
  const writer = new UsageLogWriter({ files, maxBytes: () => 2048, timers: new ManualTimers(), batchSize: 3 });
  for (let i = 0; i < 40; i++) writer.write(record(i));
  await writer.flush();
  writer.write(record(99));
  await writer.clear();
  assert.equal(files.files.size, 0);
  writer.write(record(100));
  await writer.flush();
  assert.deepEqual(parseUsageLog([files.files.get(USAGE_FILE) ?? ""]).records, [record(100)]);
});

test("a failing disk drops the batch, reports it, and the next batch is written", async () => {
  const files = new MemFiles();
  const errors: unknown[] = [];
  const writer = new UsageLogWriter({ files, maxBytes: () => 1 << 20, timers: new ManualTimers(), onError: (e) => errors.push(e) });
  files.fail = true;
  writer.write(record(1));
  await writer.flush();
  assert.equal(errors.length, 1);
  files.fail = false;
  writer.write(record(2));
  await writer.flush();
  assert.deepEqual(parseUsageLog([files.files.get(USAGE_FILE) ?? ""]).records, [record(2)]);
});

test("corrupt, truncated and foreign lines are skipped on read; good lines around them are kept", () => {
  const good = [record(1), record(2, { feature: "chat", outcome: "answered" }), record(3)].map((r) => JSON.stringify(r));
  const text = [
    good[0],
    good[1].slice(0, 30), // cut by a crash mid-write
    "not json at all",
    JSON.stringify({ ...record(9), v: 2 }), // a future format
    JSON.stringify({ ...record(9), feature: "telemetry" }),
    JSON.stringify({ ...record(9), totalMs: -5 }),
    JSON.stringify({ ...record(9), promptTokens: "12" }),
    JSON.stringify([1, 2, 3]),
    "",
    good[1],
    `${good[2]}`,
  ].join("\n");
  const parsed = parseUsageLog([text]);
  assert.equal(parsed.records.length, 3);
  assert.equal(parsed.skipped, 7);
  assert.equal(parseUsageRecord("{"), undefined);
});

test("records out of order (a clock change) are sorted by time", () => {
  const parsed = parseUsageLog([`${JSON.stringify(record(5))}\n${JSON.stringify(record(1))}\n`]);
  assert.deepEqual(
    parsed.records.map((r) => r.t),
    [record(1).t, record(5).t],
  );
});

test("lines are parsed only for the range asked: the time is read from the line's start", () => {
  const lines = Array.from({ length: 10 }, (_v, i) => JSON.stringify(record(i)));
  assert.equal(lineTime(lines[3]), record(3).t);
  assert.ok(Number.isNaN(lineTime('{"t":5,"v":1}')));
  lines[2] = `${lines[2].slice(0, 40)}`; // truncated, out of range: never looked at
  lines[8] = lines[8].slice(0, 25); // truncated, in range: skipped and counted
  const log = new UsageLogLines([lines.join("\n")]);
  const recent = log.select(record(5).t);
  assert.deepEqual(
    recent.records.map((r) => r.t),
    [5, 6, 7, 9].map((i) => record(i).t),
  );
  assert.equal(recent.skipped, 1);
  const all = log.select(null);
  assert.equal(all.records.length, 8);
  assert.equal(all.skipped, 2);
});
