// When the engine measures its threads again: live decode far below the speed after load, not more than once a minute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DecodeWatch } from "../../src/inference/engine/threadRecheck.ts";

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
