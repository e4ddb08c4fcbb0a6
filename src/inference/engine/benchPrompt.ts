/**
 * The synthetic prompt of the benchmarks (`engine/benchDecode` and bench/engine.ts's raw baseline use the same one,
 * so both sides evaluate identical tokens).
 */
import type { LlamaModel, Token } from "node-llama-cpp";

const BENCH_TEXT =
  "export function mergeSorted(left: number[], right: number[]): number[] {\n" +
  "  const out: number[] = [];\n  let i = 0;\n  let j = 0;\n" +
  "  while (i < left.length && j < right.length) out.push(left[i] <= right[j] ? left[i++] : right[j++]);\n" +
  "  return out.concat(left.slice(i), right.slice(j));\n}\n";

export function benchPromptTokens(model: LlamaModel, count: number): Token[] {
  const unit = model.tokenize(BENCH_TEXT, false, "trimLeadingSpace");
  const out: Token[] = [];
  while (out.length < count) out.push(...unit);
  return out.slice(0, count);
}
