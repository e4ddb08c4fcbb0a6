// The speculative-decoding gate (`completion.speculativeDecoding: auto`): requests alternate until both ways have a
// few decode-speed samples, then the faster way is kept and the other tried every few requests; samples that say
// nothing about speed are skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SpeculativeGate } from "../../src/inference/engine/speculativeGate.ts";

/** Runs `n` requests through the gate at these speeds (tokens/s, drafting vs plain); what each request did. */
function session(gate: SpeculativeGate, n: number, speed: { drafting: number; plain: number }): boolean[] {
  const ways: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const drafting = gate.next();
    ways.push(drafting);
    gate.observe(drafting, drafting ? speed.drafting : speed.plain, 32);
  }
  return ways;
}

test("measures both ways first, alternating, then keeps the faster one", () => {
  const gate = new SpeculativeGate({ minSamples: 3, exploreEvery: 8 });
  assert.equal(gate.choice, "measuring");
  const first = session(gate, 6, { drafting: 60, plain: 40 });
  assert.deepEqual(first, [true, false, true, false, true, false], "alternating while measuring");
  assert.equal(gate.choice, "drafting");
  assert.deepEqual(gate.measured, { drafting: 60, plain: 40 });
  const next = session(gate, 16, { drafting: 60, plain: 40 });
  assert.equal(next.filter((d) => !d).length, 2, "the slower way only on the 2 exploring requests of 16");
});

test("where drafting is slower (a CPU, code that repeats little) it stays off but keeps checking", () => {
  const gate = new SpeculativeGate();
  session(gate, 6, { drafting: 30, plain: 40 });
  assert.equal(gate.choice, "plain");
  const next = session(gate, 16, { drafting: 30, plain: 40 });
  assert.equal(next.filter(Boolean).length, 2);
});

test("a change of speed turns it around within the window", () => {
  const gate = new SpeculativeGate({ window: 3, minSamples: 3, exploreEvery: 2 });
  session(gate, 6, { drafting: 30, plain: 40 });
  assert.equal(gate.choice, "plain");
  // The code starts repeating itself: drafts pay now. The exploring requests bring the new speed in.
  session(gate, 12, { drafting: 80, plain: 40 });
  assert.equal(gate.choice, "drafting");
});

test("short or broken samples are skipped", () => {
  const gate = new SpeculativeGate({ minSamples: 1 });
  gate.observe(true, 100, 3);
  gate.observe(false, null, 40);
  gate.observe(false, Number.NaN, 40);
  gate.observe(true, -5, 40);
  assert.deepEqual(gate.measured, { drafting: null, plain: null });
  assert.equal(gate.choice, "measuring");
});
