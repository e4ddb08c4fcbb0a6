// The draft-model arithmetic of bench/draftModel.ts: tokens per step at a per-token acceptance, and the acceptance a
// speed-up needs (none where even every draft right falls short).
import { test } from "node:test";
import assert from "node:assert/strict";
import { acceptanceNeeded, draftModelRows, draftModelSpeedup } from "../../bench/draftModel.ts";

test("draft model: speed-up from acceptance and measured costs; the acceptance a target needs, or null", () => {
  const main = [70, 100, 110, 120, 130];
  // Every draft right: d + 1 tokens for d draft steps and one check.
  assert.equal(draftModelSpeedup(1, 3, main, 20), (4 * 70) / (3 * 20 + 120));
  // Nothing right: one token for the same cost.
  assert.equal(draftModelSpeedup(0, 3, main, 20), 70 / (3 * 20 + 120));
  const needed = acceptanceNeeded(1, 3, main, 20);
  assert.ok(needed !== null && needed > 0 && needed < 1);
  assert.ok(Math.abs(draftModelSpeedup(needed, 3, main, 20) - 1) < 0.02, "the acceptance found gives the target");
  assert.equal(acceptanceNeeded(2, 3, main, 20), null, "1.56x at best: 2x is out of reach");
  const rows = draftModelRows(main, 20);
  assert.deepEqual(rows.map((r) => r.drafts), [1, 2, 3, 4]);
  assert.ok(rows.every((r) => r.acceptanceFor1_5x === null || (r.acceptanceFor1x !== null && r.acceptanceFor1_5x >= r.acceptanceFor1x)));
});
