import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { engineVerdict } from "../../src/core/engineVerdict.ts";

describe("engineVerdict", () => {
  const prebuilt = { prefillTokensPerSecond: 170, decodeTokensPerSecond: 28 };

  it("uses the local build when it does the completion workload faster (the issue's measured 233 / 37 against 170 / 28)", () => {
    const v = engineVerdict(prebuilt, { prefillTokensPerSecond: 233, decodeTokensPerSecond: 37 });
    assert.equal(v.useLocal, true);
    assert.ok(Math.abs(v.prefillRatio - 233 / 170) < 1e-9 && Math.abs(v.decodeRatio - 37 / 28) < 1e-9);
    assert.ok(v.workloadRatio > 1.3 && v.workloadRatio < 1.4);
  });

  it("keeps the prebuilt when the local build is slower, equal, or faster only within the margin", () => {
    assert.equal(engineVerdict(prebuilt, { prefillTokensPerSecond: 150, decodeTokensPerSecond: 25 }).useLocal, false);
    assert.equal(engineVerdict(prebuilt, prebuilt).useLocal, false);
    assert.equal(engineVerdict(prebuilt, { prefillTokensPerSecond: 172, decodeTokensPerSecond: 28.4 }).useLocal, false);
  });

  it("weighs decode by the workload: faster prefill does not buy a much slower decode", () => {
    assert.equal(engineVerdict(prebuilt, { prefillTokensPerSecond: 400, decodeTokensPerSecond: 14 }).useLocal, false);
  });

  it("keeps the prebuilt on a broken measurement (zero, NaN, infinite)", () => {
    for (const bad of [0, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.equal(engineVerdict(prebuilt, { prefillTokensPerSecond: bad, decodeTokensPerSecond: 40 }).useLocal, false);
      assert.equal(engineVerdict({ prefillTokensPerSecond: 170, decodeTokensPerSecond: bad }, prebuilt).useLocal, false);
    }
  });
});
