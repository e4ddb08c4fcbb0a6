/**
 * Test-only: lets the UI tests check what VS Code does with two distinct suggestions (Alt+] / Alt+[ cycling) without
 * depending on what a model with random weights happens to write. When the test runner sets
 * `PRIVATE_CODER_TEST_COMPLETION_TEXTS` to a file path and a UI script has written a JSON array of strings there,
 * every completion still runs on the real backend (the same requests, prompts and timings), and then its text is
 * replaced by the array's entry for that request: entry 0 for the greedy request, entry N for the alternative sampled
 * with seed N. Without the variable (every user's case) this module hands the backend back untouched.
 */
import { readFile } from "node:fs/promises";
import type { CompletionEngine } from "../../core/completion/pipelineTypes.ts";

export const SCRIPTED_COMPLETION_TEXTS_ENV = "PRIVATE_CODER_TEST_COMPLETION_TEXTS";

async function scriptedTexts(file: string): Promise<readonly string[] | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
    return Array.isArray(parsed) && parsed.every((t) => typeof t === "string") ? parsed : undefined;
  } catch {
    return undefined; // no file (yet): the model's own text
  }
}

export function withScriptedTexts(engine: CompletionEngine, file = process.env[SCRIPTED_COMPLETION_TEXTS_ENV]): CompletionEngine {
  if (!file) return engine;
  // Everything but the texts is the engine's own (prewarm included).
  const prewarm = engine.prewarm?.bind(engine);
  return {
    ...(prewarm ? { prewarm } : {}),
    complete: async (request, options) => {
      const text = (await scriptedTexts(file))?.[request.temperature ? (request.seed ?? 0) : 0];
      if (text === undefined) return engine.complete(request, options);
      // The model's own text must not stream out (the pipeline would judge, and could stop on, text it never shows).
      const result = await engine.complete(request, { ...(options.signal ? { signal: options.signal } : {}) });
      return { ...result, text };
    },
  };
}
