import { test } from "node:test";
import assert from "node:assert/strict";
import { untilAborted } from "../../src/core/abort.ts";

test("untilAborted: the promise's value or error; an abort ends the wait with the signal's reason, the work goes on", async () => {
  assert.equal(await untilAborted(Promise.resolve(1), undefined), 1);
  assert.equal(await untilAborted(Promise.resolve(2), new AbortController().signal), 2);
  await assert.rejects(untilAborted(Promise.reject(new Error("failed")), new AbortController().signal), /failed/);
  const controller = new AbortController();
  let finish!: (value: number) => void;
  const work = new Promise<number>((resolve) => (finish = resolve));
  const waiting = untilAborted(work, controller.signal);
  controller.abort(new Error("cancelled by the caller"));
  await assert.rejects(waiting, /cancelled by the caller/);
  finish(3);
  assert.equal(await work, 3, "the work itself was not cancelled");
  await assert.rejects(untilAborted(Promise.resolve(4), controller.signal), /cancelled by the caller/, "an aborted signal rejects at once");
});
