/**
 * Whether a keystroke should ask the model at all, and for one line or several. Pure: the provider passes what it
 * knows (cursor line text, what was just typed, exclusion and model state) and logs the reason when it declines.
 * Declining costs nothing, while a needless request occupies the only completion sequence of a 2-core CPU.
 */
import { opensBlock } from "./languages.ts";

export type CompletionMode = "singleLine" | "multiLine";

export interface TriggerInput {
  /** Cursor line left of the cursor. */
  readonly linePrefix: string;
  /** Cursor line right of the cursor. */
  readonly lineSuffix: string;
  readonly languageId: string;
  /** The user asked (command or keybinding): the typing heuristics are skipped. */
  readonly explicit: boolean;
  /** The file is excluded by the safety settings (the caller decides with `PathExclusion`). */
  readonly excluded: boolean;
  /** The completion model is loaded (or loadable) and can take a request. */
  readonly modelReady: boolean;
  /** Inline completion is enabled for this language (global and per-language settings). Default true. */
  readonly enabled?: boolean;
  /** Text inserted by the edit that triggered this (`""` for a deletion or cursor move; undefined if unknown). */
  readonly lastInserted?: string;
  /** The selection is non-empty. Default false. */
  readonly hasSelection?: boolean;
}

export interface TriggerOptions {
  /** Mid-word with more than this many non-blank characters to the right: no automatic request. Default 3. */
  readonly midWordMaxRightChars?: number;
  /** A cursor line longer than this (minified code) gets no automatic request. Default 1000. */
  readonly maxLineChars?: number;
}

export const TRIGGER_DEFAULTS = { midWordMaxRightChars: 3, maxLineChars: 1000 } as const;

export type TriggerReason =
  | "excluded"
  | "modelNotReady"
  | "disabled"
  | "selection"
  | "midWord"
  | "lineTooLong"
  | "statementClosed"
  | "whitespaceAfterStatement";

export type TriggerDecision = { readonly request: true; readonly mode: CompletionMode } | { readonly request: false; readonly reason: TriggerReason };

const WORD_CHAR = /[\p{L}\p{N}_$]/u;
/** Only closing brackets, quotes and statement punctuation: what auto-closing leaves right of the cursor. */
const CLOSERS_ONLY = /^[\s)\]}>"'`;,]*$/;

/**
 * Single- or multi-line: several lines only where the rest of the line is empty (or only auto-closed brackets)
 * and the line is blank or opens a block in its language (a trailing `:` does in Python, not in Markdown). Anywhere
 * else a second line would overwrite intent the user has not typed yet, and each extra token costs ~35 ms on a
 * 2-core CPU.
 */
export function completionMode(linePrefix: string, lineSuffix: string, languageId: string): CompletionMode {
  if (!CLOSERS_ONLY.test(lineSuffix)) return "singleLine";
  // Between auto-closed braces (`({█})`, `[█]`) a body of several lines is common; inside `(█)` it is not.
  if (lineSuffix.trim().length > 0 && !/[{[]\s*$/.test(linePrefix)) return "singleLine";
  if (linePrefix.trim().length === 0 || opensBlock(linePrefix, languageId)) return "multiLine";
  return "singleLine";
}

/** Decides whether to request a completion, and in which mode. */
export function shouldRequest(input: TriggerInput, options: TriggerOptions = {}): TriggerDecision {
  // Safety and state first: these hold for explicit requests too.
  if (input.excluded) return { request: false, reason: "excluded" };
  if (!input.modelReady) return { request: false, reason: "modelNotReady" };
  const mode = completionMode(input.linePrefix, input.lineSuffix, input.languageId);
  if (input.explicit) return { request: true, mode };

  if (input.enabled === false) return { request: false, reason: "disabled" };
  if (input.hasSelection) return { request: false, reason: "selection" };
  const maxLineChars = options.maxLineChars ?? TRIGGER_DEFAULTS.maxLineChars;
  if (input.linePrefix.length + input.lineSuffix.length > maxLineChars) return { request: false, reason: "lineTooLong" };

  // Mid-word: the next character continues a word and there is real text to the right; a suggestion would have to
  // be inserted into the middle of an identifier.
  const next = input.lineSuffix.charAt(0);
  const midWordMax = options.midWordMaxRightChars ?? TRIGGER_DEFAULTS.midWordMaxRightChars;
  if (next && WORD_CHAR.test(next) && input.lineSuffix.trim().length > midWordMax) return { request: false, reason: "midWord" };

  const typed = input.lastInserted;
  if (typed !== undefined && input.lineSuffix.trim().length === 0) {
    const before = input.linePrefix.slice(0, input.linePrefix.length - typed.length).trimEnd();
    // Just closed a statement (`;` at the end of the line): the next useful suggestion comes after Enter.
    if (typed === ";" && input.linePrefix.endsWith(";")) return { request: false, reason: "statementClosed" };
    // Just typed spaces after a closed statement or block (`foo(); ␣`): nothing belongs there.
    if (/^[ \t]+$/.test(typed) && input.linePrefix.endsWith(typed) && /[;}]$/.test(before)) {
      return { request: false, reason: "whitespaceAfterStatement" };
    }
  }
  return { request: true, mode };
}
