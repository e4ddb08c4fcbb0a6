/**
 * Fill-in-the-middle prompts for servers without llama-server's `/infill`: the model family's own template, sent as a
 * raw prompt to `/v1/completions`. Each family marks prefix, suffix and middle with its own special tokens; the
 * stops keep the model from running into the next file. (Ollama takes `suffix` instead and applies the template
 * itself; llama-server's `/infill` reads the tokens from the GGUF.)
 */
import type { ContextChunk } from "../backend/index.ts";

export const FIM_FAMILIES = ["qwen", "starcoder", "codellama", "deepseek", "codestral"] as const;
export type FimFamily = (typeof FIM_FAMILIES)[number];

export interface FimPrompt {
  readonly prompt: string;
  readonly stop: readonly string[];
}

export interface FimParts {
  /** Everything before the cursor (the cursor line's left part included). */
  readonly prefix: string;
  readonly suffix: string;
  readonly extraContext?: readonly ContextChunk[];
}

/** The family a server's model name belongs to, or undefined (no FIM template known: prefix-only completion). */
export function fimFamilyOf(modelName: string): FimFamily | undefined {
  const name = modelName.toLowerCase();
  if (/codestral|mistral/.test(name)) return "codestral";
  if (/deepseek/.test(name)) return "deepseek";
  if (/code-?llama/.test(name)) return "codellama";
  if (/starcoder|stable-?code|santacoder|refact/.test(name)) return "starcoder";
  if (/qwen/.test(name)) return "qwen";
  return undefined;
}

/** Extra context as plain text with path headers, for families without a repository format. */
function plainContext(chunks: readonly ContextChunk[] | undefined, comment: string): string {
  return (chunks ?? []).map((c) => (c.path ? `${comment} ${c.path}\n${c.text}` : c.text)).map((t) => (t.endsWith("\n") ? t : `${t}\n`)).join("");
}

export function buildFimPrompt(family: FimFamily, parts: FimParts): FimPrompt {
  const { prefix, suffix } = parts;
  switch (family) {
    case "qwen": {
      // Qwen2.5-Coder's repository format: each extra file after <|file_sep|>, then the file being edited.
      const extra = (parts.extraContext ?? []).map((c) => `<|file_sep|>${c.path ?? ""}\n${c.text}${c.text.endsWith("\n") ? "" : "\n"}`).join("");
      return {
        prompt: `${extra}<|fim_prefix|>${prefix}<|fim_suffix|>${suffix}<|fim_middle|>`,
        stop: ["<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|fim_prefix|>", "<|im_end|>"],
      };
    }
    case "starcoder": {
      const extra = (parts.extraContext ?? []).map((c) => `<file_sep>${c.path ?? ""}\n${c.text}${c.text.endsWith("\n") ? "" : "\n"}`).join("");
      return { prompt: `${extra}<fim_prefix>${prefix}<fim_suffix>${suffix}<fim_middle>`, stop: ["<|endoftext|>", "<file_sep>", "<fim_prefix>"] };
    }
    case "codellama":
      return { prompt: `<PRE> ${plainContext(parts.extraContext, "//")}${prefix} <SUF>${suffix} <MID>`, stop: ["<EOT>", "<PRE>", "<SUF>", "<MID>"] };
    case "deepseek":
      return {
        prompt: `<｜fim▁begin｜>${plainContext(parts.extraContext, "//")}${prefix}<｜fim▁hole｜>${suffix}<｜fim▁end｜>`,
        stop: ["<｜end▁of▁sentence｜>", "<｜fim▁begin｜>", "<｜EOT｜>"],
      };
    case "codestral":
      // Codestral puts the suffix first.
      return { prompt: `[SUFFIX]${suffix}[PREFIX]${plainContext(parts.extraContext, "//")}${prefix}`, stop: ["</s>", "[PREFIX]", "[SUFFIX]"] };
  }
}
