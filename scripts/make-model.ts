/**
 * Generates (or finds in the cache) a synthetic GGUF model and prints its absolute path.
 *
 *   node --import tsx scripts/make-model.ts <preset> [--quant Q8_0|F16|F32] [--seed N]
 *   npm run make-model -- qwen05b --quant F16
 *
 * Only the path goes to stdout, so scripts can use `$(npm run -s make-model -- tiny)`.
 */
import { stat } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ensureSyntheticModel, isPresetName, PRESET_NAMES, type Quantization } from "../test/fixtures/models.ts";

const QUANTIZATIONS: readonly Quantization[] = ["F32", "F16", "Q8_0"];
const USAGE = `usage: make-model <${PRESET_NAMES.join("|")}> [--quant ${QUANTIZATIONS.join("|")}] [--seed N]`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseCommandLine(): { preset: (typeof PRESET_NAMES)[number]; quantization?: Quantization; seed?: number } {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { quant: { type: "string" }, seed: { type: "string" }, help: { type: "boolean", short: "h" } } });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const [preset, ...extra] = positionals;
  if (preset === undefined || extra.length > 0) fail("expected exactly one preset name");
  if (!isPresetName(preset)) fail(`unknown preset "${preset}"`);
  const quantization = values.quant?.toUpperCase();
  if (quantization !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantization)) fail(`unknown quantization "${values.quant}"`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) fail(`--seed must be a non-negative integer, got "${values.seed}"`);
  return { preset, quantization: quantization as Quantization | undefined, seed };
}

const { preset, quantization, seed } = parseCommandLine();
const startedAt = performance.now();
const path = await ensureSyntheticModel(preset, { quantization, seed });
const { size } = await stat(path);
process.stderr.write(`${preset}: ${(size / 1e6).toFixed(1)} MB, ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);
process.stdout.write(`${path}\n`);
