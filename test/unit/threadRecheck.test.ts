// When the engine measures its threads again: live decode far below the speed after load, not more than once a minute,
// and only in a pause between requests (RecheckScheduler).
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeWatch, RecheckScheduler, type RecheckTarget } from "../../src/inference/engine/threadRecheck.ts";

test("a decode collapse after a steady start asks for a re-check; noise and tiny samples do not", () => {
  const watch = new DecodeWatch(() => 0);
  for (const tps of [30, 28, 32, 29, 31]) watch.observe(tps, 16);
  watch.observe(3, 2); // too few tokens: ignored
  watch.observe(null, 16);
  watch.observe(12, 16); // one slow request
  assert.equal(watch.dropped, false);
  watch.observe(28, 16);
  watch.observe(29, 16);
  assert.equal(watch.dropped, false, "one slow request among fast ones");
  watch.observe(11, 16);
  watch.observe(11, 16);
  assert.equal(watch.dropped, true, "two of the last three at under half the reference");
});

test("three slow requests in a row: re-check, then not again within a minute, and a new reference after it", () => {
  let now = 0;
  const watch = new DecodeWatch(() => now);
  for (const tps of [30, 30, 30, 30, 30]) watch.observe(tps, 16);
  for (const tps of [5, 6, 4]) watch.observe(tps, 16);
  assert.equal(watch.dropped, true);
  watch.rechecked();
  assert.equal(watch.dropped, false);
  for (const tps of [20, 20, 20, 20, 20, 5, 5, 5]) watch.observe(tps, 16);
  assert.equal(watch.dropped, false, "within a minute of the last re-check");
  now += 61_000;
  assert.equal(watch.dropped, true);
});

test("on fewer threads than chosen at load, a re-check is due again after five minutes (the load may have gone)", () => {
  let now = 0;
  const watch = new DecodeWatch(() => now);
  assert.equal(watch.shouldRetry(1, 2), true, "never checked: due");
  watch.rechecked();
  now += 4 * 60_000;
  assert.equal(watch.shouldRetry(1, 2), false, "four minutes after a re-check chose 1 of 2");
  now += 61_000;
  assert.equal(watch.shouldRetry(1, 2), true);
  assert.equal(watch.shouldRetry(2, 2), false, "back on the load-time count: only a drop triggers");
});

/** A model whose re-check takes `ms` and can be aborted, counting what happened. */
function target(ms: number): RecheckTarget & { started: number; finished: number; aborted: number; needs: boolean } {
  const t = {
    started: 0,
    finished: 0,
    aborted: 0,
    needs: true,
    get needsThreadRecheck() {
      return t.needs;
    },
    recheckThreads(signal: AbortSignal): Promise<void> {
      t.started++;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          t.finished++;
          t.needs = false;
          resolve();
        }, ms);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          t.aborted++;
          reject(new Error("aborted"));
        });
      });
    },
  };
  return t;
}

test("the re-check waits for a pause: requests every 300 ms keep it from starting; 1 s of quiet lets it run", async (context) => {
  context.mock.timers.enable({ apis: ["setTimeout"] });
  const scheduler = new RecheckScheduler({ idleMs: 1_000, busy: () => false, warn: () => undefined });
  const model = target(500);
  for (let i = 0; i < 10; i++) {
    await scheduler.beforeRequest();
    scheduler.afterRequest(model);
    context.mock.timers.tick(300);
  }
  assert.equal(model.started, 0, "steady typing: never started, so never aborted");
  context.mock.timers.tick(700);
  assert.equal(model.started, 1);
  context.mock.timers.tick(500);
  await Promise.resolve();
  assert.equal(model.finished, 1);
  scheduler.dispose();
});

test("a request during a re-check stops it and waits for it; the next pause tries again", async (context) => {
  context.mock.timers.enable({ apis: ["setTimeout"] });
  const warnings: string[] = [];
  const scheduler = new RecheckScheduler({ idleMs: 1_000, busy: () => false, warn: (m) => warnings.push(m) });
  const model = target(2_000);
  scheduler.afterRequest(model);
  context.mock.timers.tick(1_000);
  assert.equal(model.started, 1);
  await scheduler.beforeRequest();
  assert.equal(model.aborted, 1);
  assert.deepEqual(warnings, [], "an abort is not a failure");
  scheduler.afterRequest(model);
  context.mock.timers.tick(1_000);
  assert.equal(model.started, 2, "still needed: tried again in the next pause");
  context.mock.timers.tick(2_000);
  await Promise.resolve();
  assert.equal(model.finished, 1);
  scheduler.afterRequest(model);
  context.mock.timers.tick(1_000);
  assert.equal(model.started, 2, "done: not again");
  scheduler.dispose();
});

test("no re-check starts while a request runs, nor after dispose", (context) => {
  context.mock.timers.enable({ apis: ["setTimeout"] });
  let busy = true;
  const scheduler = new RecheckScheduler({ idleMs: 1_000, busy: () => busy, warn: () => undefined });
  const model = target(100);
  scheduler.afterRequest(model);
  context.mock.timers.tick(1_000);
  assert.equal(model.started, 0, "a chat answer was running");
  busy = false;
  scheduler.afterRequest(model);
  scheduler.dispose();
  context.mock.timers.tick(1_000);
  assert.equal(model.started, 0);
});
