/**
 * Test-only, like completion/scriptedTexts.ts: lets a UI script show what VS Code does with an edit answer that has
 * code (the diff with Accept / Reject) without depending on what a model with random weights writes. When the test
 * runner sets `PRIVATE_CODER_TEST_CHAT_ANSWER` to a file path and a UI script has written a JSON string there, every
 * chat request still runs on the real backend (the same request, prompt and time), and then its streamed text is
 * replaced by that string. Without the variable (every user's case) the backend is handed back untouched.
 */
import { readFile } from "node:fs/promises";
import type { ChatBackend } from "./chatGeneration.ts";

export const SCRIPTED_CHAT_ANSWER_ENV = "PRIVATE_CODER_TEST_CHAT_ANSWER";

async function scriptedAnswer(file: string): Promise<string | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
    return typeof parsed === "string" ? parsed : undefined;
  } catch {
    return undefined; // no file (yet): the model's own text
  }
}

export function withScriptedAnswer(backend: ChatBackend, file = process.env[SCRIPTED_CHAT_ANSWER_ENV]): ChatBackend {
  if (!file) return backend;
  return {
    countTokens: (text, options) => backend.countTokens(text, options),
    chat: async (request, options = {}) => {
      const text = await scriptedAnswer(file);
      if (text === undefined) return backend.chat(request, options);
      const { onChunk, ...rest } = options;
      const result = await backend.chat(request, rest);
      if (result.metrics.stopReason === "abort") return result;
      onChunk?.(text);
      // The scripted text is a whole answer: it ends as a model's answer ends (random weights often hit the limit).
      return { ...result, text, metrics: { ...result.metrics, stopReason: "eogToken" } };
    },
  };
}
