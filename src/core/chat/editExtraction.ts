/**
 * Edit Selection: the code to put in place of the selection, taken from the chat model's answer. Models answer an
 * edit in many shapes — one fenced block, several (the edit and a usage example), bare code with a sentence
 * around it, the whole file when only a function was asked for, or no code at all — and each gets a sensible
 * result or a clear reason. Pure, so the fixtures in the unit tests cover what real answers look like.
 */

export interface EditTarget {
  /** The text being rewritten (the selection or the enclosing block). */
  readonly original: string;
  /** The document before and after it: an answer that repeats them is the whole file. */
  readonly before: string;
  readonly after: string;
}

export type EditExtraction =
  | {
      readonly ok: true;
      /** The replacement. With `scope: "file"` it replaces the whole document. */
      readonly code: string;
      readonly scope: "range" | "file";
      /** How the code was found, for the user: "several blocks: the one most like the selection was used". */
      readonly notes: readonly EditNote[];
    }
  | { readonly ok: false; readonly reason: "noCode" | "unchanged" };

export type EditNote = "severalBlocks" | "unfenced" | "wholeFile" | "unclosedFence" | "reindented";

interface Block {
  readonly code: string;
  readonly closed: boolean;
}

/** The fenced code blocks of a Markdown answer, in order (an unclosed last one, from a cut answer, too). */
export function fencedBlocks(answer: string): Block[] {
  const blocks: Block[] = [];
  const lines = answer.split("\n");
  let open: { fence: string; body: string[] } | undefined;
  for (const line of lines) {
    if (!open) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*[\w+#.-]*\s*$/.exec(line);
      if (m) open = { fence: m[1], body: [] };
      continue;
    }
    const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
      blocks.push({ code: open.body.join("\n"), closed: true });
      open = undefined;
    } else open.body.push(line);
  }
  if (open && open.body.some((l) => l.trim() !== "")) blocks.push({ code: open.body.join("\n"), closed: false });
  return blocks;
}

/** Words of code, for comparing blocks with the original. */
function tokens(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_$][\w$]*|\d+|[^\s\w]/g) ?? []);
}

function similarity(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  if (ta.size === 0 && tb.size === 0) return 1;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

/** A line of prose around bare code: a sentence, not a statement. */
function isProse(line: string): boolean {
  const t = line.trim();
  if (t === "" || /[;{}()[\]=<>,]$/.test(t) || /^(\/\/|#|\/\*|\*|--)/.test(t)) return false;
  if (/^(def|class|if|for|while|else|elif|try|except|with|async|return|import|from|export|const|let|var|function)\b/.test(t)) return false;
  // A sentence: mostly letters, spaces and ordinary punctuation, at least three words, ending like a sentence.
  const wordy = (t.match(/[\p{L}\s,'’-]/gu) ?? []).length / t.length;
  return t.split(/\s+/).length >= 3 && wordy > 0.85 && /[.:!?]$/.test(t);
}

function firstCodeLine(text: string): string | undefined {
  return text.split("\n").find((l) => l.trim() !== "")?.trim();
}
function lastCodeLine(text: string): string | undefined {
  return text.split("\n").filter((l) => l.trim() !== "").at(-1)?.trim();
}

function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** The edit in `answer` for `target`. */
export function extractEdit(answer: string, target: EditTarget): EditExtraction {
  const notes: EditNote[] = [];
  const blocks = fencedBlocks(answer).filter((b) => b.code.trim() !== "");
  let code: string;
  if (blocks.length === 0) {
    // Bare code: drop the sentences before and after it.
    const lines = answer.replace(/\r\n/g, "\n").split("\n");
    let start = 0;
    let end = lines.length;
    while (start < end && (lines[start].trim() === "" || isProse(lines[start]))) start++;
    while (end > start && (lines[end - 1].trim() === "" || isProse(lines[end - 1]))) end--;
    code = lines.slice(start, end).join("\n");
    if (code.trim() === "") return { ok: false, reason: "noCode" };
    notes.push("unfenced");
  } else if (blocks.length === 1) {
    code = blocks[0].code;
    if (!blocks[0].closed) notes.push("unclosedFence");
  } else {
    // The edit is the block most like the code it replaces (the others are usage examples, tests, the old code…);
    // a block equal to the original is the model quoting it, so it loses to any other.
    let best = blocks[0];
    let bestScore = -1;
    for (const b of blocks) {
      const score = b.code.trim() === target.original.trim() ? -0.5 : similarity(b.code, target.original) + b.code.length / 1e9;
      if (score > bestScore) {
        best = b;
        bestScore = score;
      }
    }
    code = best.code;
    notes.push("severalBlocks");
    if (!best.closed) notes.push("unclosedFence");
  }
  // The whole file: it repeats what is before and after the selection.
  const beforeLine = firstCodeLine(target.before);
  const afterLine = lastCodeLine(target.after);
  const codeFirst = firstCodeLine(code);
  const codeLast = lastCodeLine(code);
  const repeatsBefore = beforeLine !== undefined && codeFirst === beforeLine;
  const repeatsAfter = afterLine !== undefined && codeLast === afterLine;
  if ((repeatsBefore || repeatsAfter) && (beforeLine === undefined || repeatsBefore) && (afterLine === undefined || repeatsAfter)) {
    const whole = target.before + target.original + target.after;
    const text = whole.endsWith("\n") && !code.endsWith("\n") ? `${code}\n` : code;
    if (text === whole) return { ok: false, reason: "unchanged" };
    return { ok: true, code: text, scope: "file", notes: [...notes, "wholeFile"] };
  }
  // Keep the selection's indentation when the model dropped it.
  const originalIndent = indentOf(target.original.split("\n").find((l) => l.trim() !== "") ?? "");
  const codeLines = code.split("\n");
  const minIndent = Math.min(...codeLines.filter((l) => l.trim() !== "").map((l) => indentOf(l).length));
  if (originalIndent !== "" && minIndent === 0) {
    code = codeLines.map((l) => (l.trim() === "" ? l : originalIndent + l)).join("\n");
    notes.push("reindented");
  }
  // The original's trailing newline is kept as it was (a selection of whole lines ends with one).
  code = code.replace(/\n+$/, "");
  const trailing = /\n*$/.exec(target.original)?.[0] ?? "";
  code += trailing;
  if (code === target.original) return { ok: false, reason: "unchanged" };
  return { ok: true, code, scope: "range", notes };
}

/** The request for an edit (the caller filters it before it reaches the model). */
export function editRequestText(source: { readonly fileName: string; readonly language: string; readonly instruction: string; readonly code: string; readonly fence: string }): string {
  const { fence } = source;
  return [
    `Rewrite this ${source.language} code from \`${source.fileName}\` as instructed.`,
    `Instruction: ${source.instruction}`,
    `The code:\n${fence}${source.language}\n${source.code}\n${fence}`,
    "Reply with the complete rewritten code only, in one fenced code block, with nothing before or after it.",
  ].join("\n\n");
}
