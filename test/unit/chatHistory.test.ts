import { test } from "node:test";
import assert from "node:assert/strict";
import { answerReserve, planHistory, type BudgetTurn } from "../../src/core/chat/history.ts";

const turns = (n: number, tokens = 100): BudgetTurn[] => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, role: i % 2 === 0 ? "user" : "assistant", tokens }));

test("everything fits: nothing is dropped", () => {
  const plan = planHistory(turns(5), { contextTokens: 4096, reserveTokens: 1024, systemTokens: 50 });
  assert.deepEqual(plan.included, ["t0", "t1", "t2", "t3", "t4"]);
  assert.deepEqual(plan.dropped, []);
  assert.equal(plan.fits, true);
  assert.equal(plan.usedTokens, 5 * 108 + 50 + 8);
});

test("overflow drops the oldest turns and never starts with an assistant turn", () => {
  // Room for 3 turns of 108 tokens: t2 t3 t4 fit; t2 is a user turn.
  const plan = planHistory(turns(5), { contextTokens: 1000, reserveTokens: 600, systemTokens: 60 });
  assert.deepEqual(plan.included, ["t2", "t3", "t4"]);
  assert.deepEqual(plan.dropped, ["t0", "t1"]);
  // Room for 2 turns: t3 (assistant) t4 — the assistant turn goes too.
  const tight = planHistory(turns(5), { contextTokens: 900, reserveTokens: 600, systemTokens: 60 });
  assert.deepEqual(tight.included, ["t4"]);
  assert.deepEqual(tight.dropped, ["t0", "t1", "t2", "t3"]);
  assert.equal(tight.fits, true);
});

test("a last message that alone does not fit is reported, not sent", () => {
  const plan = planHistory([{ id: "u", role: "user", tokens: 5000 }], { contextTokens: 4096, reserveTokens: 1024, systemTokens: 50 });
  assert.equal(plan.fits, false);
  assert.deepEqual(plan.included, []);
});

test("the answer reserve is a quarter of the window, clamped", () => {
  assert.equal(answerReserve(512), 256);
  assert.equal(answerReserve(4096), 1024);
  assert.equal(answerReserve(32768), 2048);
});
