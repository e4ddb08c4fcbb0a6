/**
 * A small bracket-and-quote scanner for one stretch of code, enough to balance a suggestion against the text
 * around it. It is not a parser: it knows strings (with backslash escapes) and line comments, so that a `)` inside
 * `"(x)"` or `// (see below` does not count.
 */
import { commentSyntax } from "./languages.ts";

const OPEN_TO_CLOSE: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };
const CLOSE_TO_OPEN: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };

/** Scanner state between stretches: open brackets (innermost last), the open quote, whether in a line comment. */
export interface ScanState {
  readonly stack: readonly string[];
  readonly quote: string | null;
  readonly comment: boolean;
}

export const EMPTY_SCAN: ScanState = { stack: [], quote: null, comment: false };

/** Quote characters of a language: `'` is a lifetime in Rust and a comment in VB; backticks are JS/Go/shell only. */
export function quoteChars(languageId: string): string {
  const backtick = /^(javascript|typescript|javascriptreact|typescriptreact|vue|svelte|go|shellscript|markdown)$/.test(languageId);
  const single = !/^(rust|vb|clojure|lisp|scheme|racket|ocaml|fsharp|haskell|elm)$/.test(languageId);
  return `"${single ? "'" : ""}${backtick ? "`" : ""}`;
}

/** Event reported by {@link scan} when a closer pops a bracket that was open before this stretch. */
export interface OuterClose {
  /** Index in the scanned text. */
  readonly index: number;
  readonly char: string;
}

export interface ScanResult {
  readonly state: ScanState;
  /** The first closer (bracket or quote) that closes something opened before the scanned text, if any. */
  readonly outerClose: OuterClose | undefined;
}

/**
 * Scans `text` from `start`. Newlines end line comments; an unterminated quote at a newline is closed (no language
 * here has multi-line `"` strings worth tracking, and template literals are rare in suggestions).
 */
export function scan(text: string, languageId: string, start: ScanState = EMPTY_SCAN): ScanResult {
  const quotes = quoteChars(languageId);
  const syntax = commentSyntax(languageId);
  const lineComment = syntax && !syntax.close ? syntax.open : undefined;
  const stack = [...start.stack];
  const outerDepth = stack.length;
  let quote = start.quote;
  const quoteIsOuter = quote !== null;
  let quoteOpenedHere = false;
  let comment = start.comment;
  let outerClose: OuterClose | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") {
      comment = false;
      if (quote !== "`") quote = null;
      continue;
    }
    if (comment) continue;
    if (quote !== null) {
      if (c === "\\") {
        i++;
        continue;
      }
      if (c === quote) {
        if (quoteIsOuter && !quoteOpenedHere && outerClose === undefined) outerClose = { index: i, char: c };
        quote = null;
        quoteOpenedHere = false;
      }
      continue;
    }
    if (lineComment && text.startsWith(lineComment, i)) {
      comment = true;
      continue;
    }
    if (quotes.includes(c)) {
      quote = c;
      quoteOpenedHere = true;
      continue;
    }
    if (OPEN_TO_CLOSE[c]) {
      stack.push(c);
    } else if (CLOSE_TO_OPEN[c]) {
      if (stack.length > 0 && stack[stack.length - 1] === CLOSE_TO_OPEN[c]) {
        if (stack.length <= outerDepth && outerClose === undefined) outerClose = { index: i, char: c };
        stack.pop();
      }
    }
  }
  return { state: { stack, quote, comment }, outerClose };
}

/** The closers for brackets opened beyond `depth`, innermost first (e.g. `["(", "["]` from depth 0 → `])`). */
export function closersFor(stack: readonly string[], depth: number): string {
  let out = "";
  for (let i = stack.length - 1; i >= depth; i--) out += OPEN_TO_CLOSE[stack[i]] ?? "";
  return out;
}

/** Whether `c` is a closing bracket or quote. */
export function isCloser(c: string): boolean {
  return c === ")" || c === "]" || c === "}" || c === '"' || c === "'" || c === "`";
}
