/**
 * Edit places for bench/speculative.ts: what prompt lookup meets when the model rewrites code (Edit Selection, Fix,
 * Write Doc Comment). At seeded places in this repository's TypeScript, 20 lines are the selection; the user message
 * is built as the extension builds it (`editRequestText`), and the "true" answer is the fenced block the edit asks
 * for, made by one of three edits that cover what those commands do:
 *
 * - **rename**: the block's most used identifier gets another name everywhere (Edit Selection: "rename x to y");
 * - **guard**: one new line checks a value and throws (Fix: a line added in the middle, the rest as it was);
 * - **doc comment**: a new three-line JSDoc comment of words that are not in the code above the block (Write Doc
 *   Comment: new text that no draft can find, then the code unchanged).
 *
 * node-llama-cpp drafts for a chat answer from the last user message only (`LlamaChat` hands it to
 * `updateInputTokens`), so that is the lookup input here too.
 */
import type { LlamaModel, Token } from "node-llama-cpp";
import { editRequestText } from "../src/core/chat/editExtraction.ts";
import { repositorySources, rng } from "./completionSupport.ts";

export interface EditPlace {
  readonly kind: "rename" | "guard" | "docComment";
  /** What the predictor looks drafts up in: the last user message. */
  readonly input: Token[];
  /** What the sequence holds before the answer (the end of the chat prompt). */
  readonly state: Token[];
  /** The answer the model is assumed to write. */
  readonly truth: Token[];
}

const SELECTION_LINES = 20;
const MAX_ANSWER_TOKENS = 400;
const KEYWORDS = new Set(
  "const let var return await async function export import from this true false null undefined typeof string number boolean readonly private public protected interface type void new else for while throw catch try class extends implements static case break continue default switch yield delete instanceof".split(
    " ",
  ),
);
const WORDS = "returns the value kept for each request so that later calls reuse what was measured before and never block the user while it waits".split(" ");

/** The block's most used identifier of four characters or more (seen at least twice), if any. */
function mostUsedIdentifier(code: string): string | undefined {
  const counts = new Map<string, number>();
  for (const m of code.matchAll(/\b[a-z][A-Za-z0-9]{3,}\b/g)) if (!KEYWORDS.has(m[0])) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best && best[1] >= 2 ? best[0] : undefined;
}

function edited(kind: EditPlace["kind"], lines: string[], random: () => number): { code: string; instruction: string } | undefined {
  const code = lines.join("\n");
  const indentOf = (line: string) => /^\s*/.exec(line)?.[0] ?? "";
  if (kind === "rename") {
    const name = mostUsedIdentifier(code);
    if (!name) return undefined;
    const renamed = `the${name[0].toUpperCase()}${name.slice(1)}`;
    return { code: code.replace(new RegExp(`\\b${name}\\b`, "g"), renamed), instruction: `rename ${name} to ${renamed}` };
  }
  if (kind === "guard") {
    const name = mostUsedIdentifier(code) ?? "value";
    const at = 2 + Math.floor(random() * (lines.length - 4));
    const guard = `${indentOf(lines[at])}if (${name} == null) throw new Error("${name} is missing");`;
    return { code: [...lines.slice(0, at), guard, ...lines.slice(at)].join("\n"), instruction: `fix: fail clearly when ${name} is missing` };
  }
  const indent = indentOf(lines[0]);
  const words = Array.from({ length: 16 }, () => WORDS[Math.floor(random() * WORDS.length)]);
  const comment = [`${indent}/**`, `${indent} * ${words.slice(0, 8).join(" ")}`, `${indent} * ${words.slice(8).join(" ")}.`, `${indent} */`];
  return { code: [...comment, ...lines].join("\n"), instruction: "write a doc comment" };
}

/** `count` edit places, the three kinds in turn, from seeded spots in this repository's TypeScript. */
export function editPlaces(model: LlamaModel, count: number): EditPlace[] {
  const files = repositorySources(80);
  const kinds: EditPlace["kind"][] = ["rename", "guard", "docComment"];
  // The turn's end and the answer's start as the ChatML template renders them (the benchmark model's template).
  const answerStart = model.tokenize("<|im_end|>\n<|im_start|>assistant\n", true);
  const random = rng(11);
  const out: EditPlace[] = [];
  for (let tries = 0; out.length < count && tries < count * 50; tries++) {
    const file = files[Math.floor(random() * files.length)];
    const at = Math.floor(random() * (file.lines.length - SELECTION_LINES));
    const lines = file.lines.slice(at, at + SELECTION_LINES);
    if (lines.join("").trim().length < 300) continue;
    const kind = kinds[out.length % kinds.length];
    const edit = edited(kind, lines, random);
    if (!edit) continue;
    const message = editRequestText({ fileName: file.name, language: "typescript", instruction: edit.instruction, code: lines.join("\n"), fence: "```" });
    const input = model.tokenize(message);
    const truth = model.tokenize("```typescript\n" + edit.code + "\n```").slice(0, MAX_ANSWER_TOKENS);
    out.push({ kind, input, state: [...input, ...answerStart], truth });
  }
  return out;
}
