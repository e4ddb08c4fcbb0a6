/**
 * Quantize Model… (the design article's section 3.2), the pure part: which types are offered, where the new file goes,
 * how big it will be and whether it fits, and reading llama-quantize's progress lines. The runner is in
 * src/inference/tools/quantize.ts, the command in src/extension/quantizeCommand.ts.
 */

/** Target types, smallest first, with llama.cpp's `general.file_type` number and average bits per weight. */
export const QUANT_TYPES = {
  Q4_K_M: { fileType: 15, bitsPerWeight: 4.89 },
  Q5_K_M: { fileType: 17, bitsPerWeight: 5.7 },
  Q6_K: { fileType: 18, bitsPerWeight: 6.56 },
  Q8_0: { fileType: 7, bitsPerWeight: 8.5 },
} as const;
export type QuantType = keyof typeof QUANT_TYPES;

/** Bits per weight of the source types (by type name), to estimate the output size. */
const SOURCE_BITS: Record<string, number> = { F32: 32, F16: 16, BF16: 16, Q8_0: 8.5, Q6_K: 6.56, Q5_K_M: 5.7, Q4_K_M: 4.89 };

/** Names end in their type by convention (`qwen2.5-coder-0.5b-instruct-q8_0.gguf`): the type, if the name says. */
export function typeFromFileName(file: string): string | undefined {
  const match = /[-._](F32|F16|BF16|Q8_0|Q6_K|Q5_K_M|Q4_K_M)\.gguf$/i.exec(file);
  return match?.[1].toUpperCase();
}

export function isQuantType(value: string): value is QuantType {
  return Object.hasOwn(QUANT_TYPES, value);
}

/** Whether quantizing a `sourceType` file to `type` makes it smaller (unknown sources: assume F16). */
export function shrinks(sourceType: string | undefined, type: QuantType): boolean {
  return QUANT_TYPES[type].bitsPerWeight < (SOURCE_BITS[sourceType ?? "F16"] ?? 16);
}

/**
 * The new file's path, next to the old one: a type tag in the name is replaced (`coder-F16.gguf` →
 * `coder-Q4_K_M.gguf`), otherwise the type is appended (`coder.gguf` → `coder-Q4_K_M.gguf`).
 */
export function quantizedOutputPath(input: string, type: QuantType): string {
  const slash = Math.max(input.lastIndexOf("/"), input.lastIndexOf("\\"));
  const dir = input.slice(0, slash + 1);
  const base = input.slice(slash + 1).replace(/\.gguf$/i, "");
  const tag = /([-._])(F32|F16|BF16|Q[2-8](?:_[01K])?(?:_[SML])?|IQ\d\w*)$/i;
  const stem = tag.test(base) ? base.replace(tag, "") : base;
  return `${dir}${stem}-${type}.gguf`;
}

/** Estimated bytes of the output: the weights scale with bits per weight (metadata and vocabulary are small). */
export function estimateQuantizedBytes(inputBytes: number, sourceType: string | undefined, type: QuantType): number {
  const sourceBits = SOURCE_BITS[sourceType ?? "F16"] ?? 16;
  return Math.round((inputBytes * QUANT_TYPES[type].bitsPerWeight) / sourceBits);
}

export type Fit = "fits" | "tight" | "tooBig";

/**
 * Whether a model of `modelBytes` fits in `freeBytes` of memory with room for a context (`contextBytes`) and the
 * rest of the system: `tight` when it fits with less than 25% to spare.
 */
export function fitOf(modelBytes: number, contextBytes: number, freeBytes: number): Fit {
  const needed = modelBytes + contextBytes;
  if (needed > freeBytes) return "tooBig";
  return needed * 1.25 > freeBytes ? "tight" : "fits";
}

/** llama-quantize prints `[  12/ 291] name - [...], type = f16, converting to q4_K ...` per tensor. */
export function parseQuantizeProgress(line: string): { done: number; total: number } | undefined {
  const match = /^\[\s*(\d+)\s*\/\s*(\d+)\]/.exec(line.trim());
  if (!match) return undefined;
  const done = Number(match[1]);
  const total = Number(match[2]);
  return total > 0 && done <= total ? { done, total } : undefined;
}
