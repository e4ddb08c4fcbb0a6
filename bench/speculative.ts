/**
 * What speculative decoding with prompt-lookup drafts (node-llama-cpp's `InputLookupTokenPredictor`) can give on real
 * code, where random weights cannot tell: a synthetic model's greedy tokens almost never match a draft, so measured
 * on it the speed-up is ~1.0× whatever the code. Two measured inputs instead, and the arithmetic between them:
 *
 * - **cost of verifying a draft**: a decode step that checks d drafted tokens, timed in node-llama-cpp's own
 *   speculative loop at ~1,600 tokens of context (the batch of 1 + d tokens, sampling at every position, erasing the
 *   refuted drafts) on the benchmark model with the engine's context settings (flash attention `auto`, same threads),
 *   greedy for completions and with the chat's sampler for edits;
 * - **how often the drafts are right** when the model writes what the author wrote: at seeded places in this
 *   repository's TypeScript, three lines are taken out of the file (from their start, or part-way into the first as if
 *   the user had typed its start), the FIM prompt is built as the engine builds it
 *   (prefix, 64-token suffix after the gap, the cursor line after MID), and the predictor drafts against the real
 *   continuation token by token, exactly as node-llama-cpp drives it (reset with the prompt, push what was accepted
 *   plus the model's own next token).
 *
 * The same for edits (bench/speculativeEdits.ts): the selection in the user message, drafts checked against the
 * rewritten block. Speed-up = tokens × cost(0 drafts) / Σ cost(draft length) over the verification steps. A real model that writes other
 * code than the author gets other drafts accepted; this measures how much the code repeats itself, the condition
 * prompt lookup needs, and which predictor settings pay on this machine. Runs alone:
 * `UV_THREADPOOL_SIZE=1 node --import tsx bench/speculative.ts [model.gguf] [threads] [--draft-main bigger.gguf] [engine build addon]`.
 */
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, InputLookupTokenPredictor, LlamaCompletion, LlamaLogLevel, TokenPredictor, type LlamaModel, type Token } from "node-llama-cpp";
import { loadLocalLlama } from "../src/inference/engine/localBinary.ts";
import { ensureSyntheticModel } from "../test/fixtures/models.ts";
import { repositorySources, root, rng } from "./completionSupport.ts";
import { draftModelRows, type DraftModelRow } from "./draftModel.ts";
import { editPlaces } from "./speculativeEdits.ts";

/** Predictor settings compared (pattern: tokens that must match before a draft; draft: most tokens drafted). */
export const PREDICTOR_SETTINGS: readonly { readonly pattern: number; readonly draft: number }[] = [
  { pattern: 1, draft: 3 },
  { pattern: 2, draft: 3 },
  { pattern: 3, draft: 3 },
  { pattern: 2, draft: 5 },
  { pattern: 3, draft: 5 },
  { pattern: 3, draft: 8 },
];
/** Settings compared on edits, whose answers repeat long runs of the selection. */
export const EDIT_PREDICTOR_SETTINGS: readonly { readonly pattern: number; readonly draft: number }[] = [
  { pattern: 3, draft: 3 },
  { pattern: 2, draft: 5 },
  { pattern: 2, draft: 8 },
  { pattern: 3, draft: 8 },
  { pattern: 2, draft: 12 },
  { pattern: 3, draft: 12 },
];
const EDIT_PLACES = 45;
const PLACES = 80;
const GENERATED = 48;
const PREFIX_TOKENS = 1500;
const SUFFIX_TOKENS = 64;
const DEPTH = 1600;

interface Place {
  /** What the predictor looks drafts up in. */
  readonly input: Token[];
  /** What the sequence holds when generation starts. */
  readonly state: Token[];
  readonly truth: Token[];
}

/** Proposes `length` copies of one token at every step: drafts a model almost never confirms, at a chosen length. */
class FixedDraftPredictor extends TokenPredictor {
  length = 0;
  constructor(private readonly token: Token) {
    super();
  }
  reset(): void {}
  pushTokens(): void {}
  predictTokens(): Token[] {
    return Array.from({ length: this.length }, () => this.token);
  }
}

/** The sampler settings whose cost is measured: completions decode greedily, edits with the chat's sampler. */
export const SAMPLERS = {
  completion: { temperature: 0 },
  // The chat's sampler without the repeat penalty, as the host asks for rewrites (core/chat/slashCommands.ts).
  edit: { temperature: 0.7, topP: 0.9, topK: 40, minP: 0.05 },
} as const;

/**
 * Milliseconds of one decode step that checks d = 0..maxDraft drafted tokens (index d), measured in node-llama-cpp's
 * own speculative loop at `DEPTH` tokens of context: the batch of 1 + d tokens, sampling at every position with
 * `sampler`, and erasing the refuted drafts. The drafts are tokens the model never writes, so every step yields one
 * token and the step's cost is the decode time over the tokens generated. Median of 3 runs of 24 tokens per length.
 */
export async function stepCosts(model: LlamaModel, threads: number, maxDraft: number, sampler: (typeof SAMPLERS)[keyof typeof SAMPLERS]): Promise<number[]> {
  const context = await model.createContext({ contextSize: 4096, threads, flashAttention: "auto" });
  try {
    const predictor = new FixedDraftPredictor(model.tokenize("\u0001")[0]);
    const sequence = context.getSequence({ tokenPredictor: predictor });
    const text = readFileSync(path.join(root, "src/core/completion/context.ts"), "utf8").repeat(4);
    const prompt = model.tokenize(text).slice(0, DEPTH);
    const completion = new LlamaCompletion({ contextSequence: sequence });
    const costs: number[] = [];
    for (let d = 0; d <= maxDraft; d++) {
      predictor.length = d;
      const times: number[] = [];
      for (let r = 0; r < 3; r++) {
        let first = 0;
        let tokens = 0;
        await completion.generateCompletion(prompt, {
          ...sampler,
          maxTokens: 24,
          onToken: (t) => {
            if (first === 0) first = performance.now();
            tokens += t.length;
          },
        });
        times.push((performance.now() - first) / Math.max(1, tokens - 1));
      }
      costs.push(times.sort((a, b) => a - b)[1]);
    }
    return costs;
  } finally {
    await context.dispose();
  }
}

/** Seeded places in this repository's TypeScript: three lines taken out, the FIM prompt around the gap. */
function places(model: LlamaModel): Place[] {
  const files = repositorySources(120).map((f) => f.lines);
  const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
  if (pre == null || suf == null || mid == null) throw new Error("the benchmark model has no FIM tokens");
  const random = rng(7);
  const out: Place[] = [];
  while (out.length < PLACES) {
    const lines = files[Math.floor(random() * files.length)];
    const at = Math.floor(lines.length * (0.4 + random() * 0.55));
    const gap = lines.slice(at, at + 3).join("\n");
    if (gap.trim().length < 20) continue;
    // Half the places at the line's start (a new line), half part-way into it (the user typed its start).
    const indent = /^\s*/.exec(lines[at])?.[0].length ?? 0;
    const typed = random() < 0.5 ? indent : indent + Math.floor(random() * (lines[at].length - indent));
    const prefix = model.tokenize(lines.slice(0, at).join("\n") + "\n").slice(-PREFIX_TOKENS);
    const suffix = model.tokenize("\n" + lines.slice(at + 3).join("\n")).slice(0, SUFFIX_TOKENS);
    const line = model.tokenize(gap.slice(0, typed));
    const truth = model.tokenize(gap.slice(typed)).slice(0, GENERATED);
    const prompt = [pre, ...prefix, suf, ...suffix, mid, ...line];
    out.push({ input: prompt, state: prompt, truth });
  }
  return out;
}

/** Drafts against the real continuation as node-llama-cpp drives the predictor: verification steps and their sizes. */
function simulate(place: Place, setting: { pattern: number; draft: number }): { steps: number[]; drafted: number; accepted: number } {
  const predictor = new InputLookupTokenPredictor({ patternLength: { min: setting.pattern }, predictionLength: { max: setting.draft } });
  predictor.reset({ stateTokens: place.state });
  predictor.updateInputTokens(place.input);
  const steps: number[] = [];
  let drafted = 0;
  let accepted = 0;
  for (let at = 0; at < place.truth.length; ) {
    const draft = predictor.predictTokens();
    let ok = 0;
    while (ok < draft.length && at + ok < place.truth.length && draft[ok] === place.truth[at + ok]) ok++;
    steps.push(1 + draft.length);
    drafted += draft.length;
    accepted += ok;
    // The accepted drafts plus the model's own next token (at the first mismatch, or after a fully accepted draft).
    const produced = place.truth.slice(at, at + ok + 1);
    predictor.pushTokens(produced);
    at += produced.length;
  }
  predictor.dispose();
  return { steps, drafted, accepted };
}

type Row = { pattern: number; draft: number; acceptance: number; tokensPerStep: number; expectedSpeedup: number };

export interface SpeculativeFigures {
  /** Milliseconds of a decode step checking d drafts (index d), greedy as completions decode. */
  readonly costMs: number[];
  /** The same with the chat's sampler, as edits decode. */
  readonly editCostMs: number[];
  /** Completions: 3 lines of real code after the cursor. */
  readonly rows: Row[];
  /** Edits (bench/speculativeEdits.ts): all three kinds together, and the best setting per kind. */
  readonly edits: { readonly places: number; readonly rows: Row[]; readonly byKind: Record<string, Row> };
  /** A draft model for completions (bench/draftModel.ts), when a main model was given to measure it against. */
  readonly draftModel?: { readonly mainStepMs: number[]; readonly draftStepMs: number; readonly rows: DraftModelRow[] };
}

/** Drafting against every place's real answer with `setting`, costed with the measured verification batches. */
function expected(all: readonly Place[], setting: { pattern: number; draft: number }, costMs: readonly number[]): Row {
  let tokens = 0;
  let plainMs = 0;
  let specMs = 0;
  let drafted = 0;
  let accepted = 0;
  let steps = 0;
  for (const place of all) {
    const run = simulate(place, setting);
    tokens += place.truth.length;
    plainMs += place.truth.length * costMs[0];
    specMs += run.steps.reduce((ms, n) => ms + costMs[n - 1], 0);
    drafted += run.drafted;
    accepted += run.accepted;
    steps += run.steps.length;
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return { ...setting, acceptance: round(drafted === 0 ? 0 : accepted / drafted), tokensPerStep: round(tokens / steps), expectedSpeedup: round(plainMs / specMs) };
}

export async function speculativeOnRealCode(options: { modelPath: string; threads: number; engineBinary?: string; draftMainModelPath?: string }): Promise<SpeculativeFigures> {
  const maxThreads = Math.max(1, options.threads);
  // The prebuilt binary, or the build for this CPU (Optimize the Engine), whose batches may cost otherwise.
  const llama = options.engineBinary
    ? await loadLocalLlama(options.engineBinary, { logLevel: LlamaLogLevel.warn, logger: () => undefined, maxThreads })
    : await getLlama({ gpu: false, build: "never", maxThreads });
  try {
    const model = await llama.loadModel({ modelPath: options.modelPath });
    try {
      const costMs = await stepCosts(model, options.threads, Math.max(...PREDICTOR_SETTINGS.map((s) => s.draft)), SAMPLERS.completion);
      const editCostMs = await stepCosts(model, options.threads, Math.max(...EDIT_PREDICTOR_SETTINGS.map((s) => s.draft)), SAMPLERS.edit);
      const completionPlaces = places(model);
      const rows = PREDICTOR_SETTINGS.map((setting) => expected(completionPlaces, setting, costMs));
      const edits = editPlaces(model, EDIT_PLACES);
      const editRows = EDIT_PREDICTOR_SETTINGS.map((setting) => expected(edits, setting, editCostMs));
      const byKind: Record<string, Row> = {};
      for (const kind of new Set(edits.map((e) => e.kind))) {
        const ofKind = edits.filter((e) => e.kind === kind);
        byKind[kind] = EDIT_PREDICTOR_SETTINGS.map((setting) => expected(ofKind, setting, editCostMs)).reduce((a, b) => (b.expectedSpeedup > a.expectedSpeedup ? b : a));
      }
      const round = (ms: number) => Math.round(ms * 10) / 10;
      let draftModel: SpeculativeFigures["draftModel"];
      if (options.draftMainModelPath) {
        // This model drafts for the bigger one; both decode greedily, as completions do.
        const main = await llama.loadModel({ modelPath: options.draftMainModelPath });
        try {
          const mainStepMs = (await stepCosts(main, options.threads, 4, SAMPLERS.completion)).map(round);
          const draftStepMs = round(costMs[0]);
          draftModel = { mainStepMs, draftStepMs, rows: draftModelRows(mainStepMs, draftStepMs) };
        } finally {
          await main.dispose();
        }
      }
      return { costMs: costMs.map(round), editCostMs: editCostMs.map(round), rows, edits: { places: edits.length, rows: editRows, byKind }, ...(draftModel ? { draftModel } : {}) };
    } finally {
      await model.dispose();
    }
  } finally {
    await llama.dispose();
  }
}

/**
 * The same figures measured in a child process with the engine's libuv pool of one thread (childProcess.ts sets
 * `UV_THREADPOOL_SIZE=1`): in a process with the default pool of 4, a batch of 2 tokens measured as much as 2 decode
 * steps (work hopping between pool threads), which would misstate the cost of verifying drafts.
 */
export function speculativeInEngineConditions(options: { modelPath: string; threads: number; draftMainModelPath?: string }): SpeculativeFigures {
  const args = [options.modelPath, String(options.threads), ...(options.draftMainModelPath ? ["--draft-main", options.draftMainModelPath] : [])];
  const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, UV_THREADPOOL_SIZE: "1" },
    maxBuffer: 1 << 20,
  });
  const line = out.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`bench/speculative.ts printed no figures: ${out.slice(-500)}`);
  return JSON.parse(line) as SpeculativeFigures;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const modelPath = process.argv[2] ?? (await ensureSyntheticModel("qwen05b", { quantization: "Q8_0" }));
  const threads = Number(process.argv[3]) || 2;
  const rest = process.argv.slice(4);
  const draftAt = rest.indexOf("--draft-main");
  const draftMainModelPath = draftAt >= 0 ? rest.splice(draftAt, 2)[1] : undefined;
  const engineBinary = rest[0];
  const figures = await speculativeOnRealCode({ modelPath, threads, ...(engineBinary ? { engineBinary } : {}), ...(draftMainModelPath ? { draftMainModelPath } : {}) });
  console.log(JSON.stringify({ bench: "speculative", ...figures }));
}
