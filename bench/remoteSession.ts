/**
 * One simulated developer for `npm run bench:remote`: the completion benchmark's scripted typing (the same typed
 * code, keystrokes 30-120 ms apart, seeded) through the production `CompletionPipeline`, pausing where people wait
 * for a suggestion (line ends, after `= ` and `(`) and timing keystroke → suggestion, debounce included. Each
 * developer types into its own file of this repository, so the server sees different prompts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { CompletionPipeline, type PipelineResult, type SpeedSample } from "../src/core/completion/index.ts";
import type { CompletionEngine } from "../src/core/completion/pipelineTypes.ts";
import { MemDoc, root, rng, safety, sleep } from "./completionSupport.ts";

/** What each developer types (two lines of the completion benchmark's script: 5 pauses). */
export const SESSION_SCRIPT = [
  "export function suffixRoom(total: number, used: number): number {\n",
  "  const room = Math.max(0, total - used);\n",
].join("");

/** Files the developers type into (cycled), at the line before their first `export function`. */
const FILES = [
  "src/core/completion/context.ts",
  "src/core/completion/budget.ts",
  "src/core/completion/cache.ts",
  "src/core/safety/filterContext.ts",
  "src/core/chat/request.ts",
  "src/core/safety/pathExclusion.ts",
  "src/core/completion/pipeline.ts",
  "src/core/safety/truncate.ts",
];

export interface SessionOptions {
  readonly engine: CompletionEngine;
  readonly speed: SpeedSample;
  readonly charsPerToken: number;
  readonly contextSize: number;
  /** Which developer (file and seed). */
  readonly developer: number;
}

export interface SessionResult {
  /** Keystroke → suggestion at each pause, ms. */
  readonly latencies: number[];
  /** Requests that finished at the backend (not cancelled by a later keystroke). */
  readonly completions: number;
}

export async function developerSession(options: SessionOptions): Promise<SessionResult> {
  const file = path.join(root, FILES[options.developer % FILES.length]);
  const lines = readFileSync(file, "utf8").split("\n");
  const found = lines.findIndex((l) => l.startsWith("export function") || l.startsWith("export class"));
  const at = found < 0 ? Math.floor(lines.length / 2) : found;
  lines.splice(at, 0, "");
  const doc = new MemDoc(lines, file, "typescript", { line: at, character: 0 });
  const pipeline = new CompletionPipeline({
    engine: () => Promise.resolve(options.engine),
    safety: safety(),
    modelReady: () => true,
    settings: () => ({ overrides: {}, salt: `developer-${options.developer}`, contextSize: options.contextSize }),
  });
  pipeline.resetModel(options.speed, options.charsPerToken);
  const random = rng(1000 + options.developer);
  let inFlight: { controller: AbortController; promise: Promise<PipelineResult>; t0: number } | undefined;
  let completions = 0;
  const latencies: number[] = [];
  const keystroke = (ch: string) => {
    inFlight?.controller.abort();
    doc.type(ch);
    const controller = new AbortController();
    const t0 = performance.now();
    const promise = pipeline.run({
      doc: doc.snapshot(),
      cursor: doc.cursor,
      explicit: false,
      enabled: true,
      lastInserted: ch,
      signal: controller.signal,
      beforeEngine: async () => {
        const until = performance.now() + pipeline.budget.debounceMs;
        while (performance.now() < until && !controller.signal.aborted) await sleep(Math.min(10, until - performance.now()));
        return !controller.signal.aborted;
      },
    });
    promise.then((r) => {
      if (r.source === "engine" || r.source === "empty") completions++;
    }, () => undefined);
    inFlight = { controller, promise, t0 };
    return inFlight;
  };
  const script = SESSION_SCRIPT;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] ?? "";
    const flight = keystroke(ch);
    const pause = ch === "\n" || script.slice(i - 1, i + 1) === "= " || ch === "(";
    if (!pause) {
      await sleep(30 + random() * 90);
      continue;
    }
    const result = await flight.promise;
    if (result.source === "engine" || result.source === "empty") latencies.push(performance.now() - flight.t0);
    // The developer reads the suggestion before typing on.
    await sleep(500 + random() * 500);
  }
  if (inFlight) await inFlight.promise.catch(() => undefined);
  return { latencies, completions };
}
