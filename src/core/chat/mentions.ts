/**
 * @-context in the chat input: `@file:src/app.ts`, `@selection`, `@problems`, `@changes`, `@terminal`,
 * `@symbol:parseConfig`. Parsing what the user typed, completion of the item names, and the budget of each item. Pure: the host resolves each item.
 */

export const MENTION_KINDS = ["file", "selection", "problems", "changes", "terminal", "symbol"] as const;
export type MentionKind = (typeof MENTION_KINDS)[number];

/** Mentions that need an argument (`@file:…`, `@symbol:…`). */
export const MENTIONS_WITH_ARG: ReadonlySet<MentionKind> = new Set(["file", "symbol"]);

export interface Mention {
  readonly kind: MentionKind;
  /** `@file:` path / `@symbol:` name; empty for the others. */
  readonly arg: string;
  /** Where it is in the text: [start, end). */
  readonly start: number;
  readonly end: number;
}

export interface ParsedMentions {
  readonly mentions: readonly Mention[];
  /** `@something` that is not a known item, or a known one missing its argument: the host says so. */
  readonly unknown: readonly string[];
}

/** At most this many @-items in one message (each becomes an attachment). */
export const MAX_MENTIONS = 8;

// `@` at the start or after whitespace/bracket (not an e-mail address or a decorator in pasted code like `x@y`).
// An argument is `:"quoted path"` or `:non-space`.
const MENTION_RE = /(^|[\s([{])@([A-Za-z]+)(?::("([^"\n]*)"|[^\s"]+))?/g;

/** The @-items of a message, in order, without duplicates. Code inside fences is not searched. */
export function parseMentions(text: string): ParsedMentions {
  const mentions: Mention[] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  const fenced = fencedRanges(text);
  for (const m of text.matchAll(MENTION_RE)) {
    const start = (m.index ?? 0) + m[1].length;
    if (fenced.some(([a, b]) => start >= a && start < b)) continue;
    const name = m[2].toLowerCase();
    const arg = (m[4] ?? m[3] ?? "").replace(/[.,;:!?)\]}]+$/, "");
    const end = start + m[0].length - m[1].length;
    if (!(MENTION_KINDS as readonly string[]).includes(name)) {
      // Only words that look like an attempt at an item are reported; `@Override` in prose stays prose.
      if (/^[a-z]+$/.test(m[2]) && m[2].length <= 12) unknown.push(`@${m[2]}`);
      continue;
    }
    const kind = name as MentionKind;
    if (MENTIONS_WITH_ARG.has(kind) && arg === "") {
      unknown.push(`@${kind}`);
      continue;
    }
    const key = `${kind}:${arg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    mentions.push({ kind, arg: MENTIONS_WITH_ARG.has(kind) ? arg : "", start, end });
  }
  return { mentions, unknown };
}

function fencedRanges(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const re = /^(```|~~~)[^\n]*\n[\s\S]*?(^\1[^\n]*$|$(?![\s\S]))/gm;
  for (const m of text.matchAll(re)) ranges.push([m.index ?? 0, (m.index ?? 0) + m[0].length]);
  return ranges;
}

/** The token being typed at `cursor` when it is an @-item or a slash command (for the completion popup). */
export function tokenAt(text: string, cursor: number): { readonly kind: "mention" | "slash"; readonly start: number; readonly query: string } | undefined {
  const before = text.slice(0, cursor);
  const slash = /^\s*\/([\w-]*)$/.exec(before);
  if (slash) return { kind: "slash", start: before.lastIndexOf("/"), query: slash[1] };
  const m = /(^|[\s([{])@([A-Za-z]*(?::("[^"\n]*|[^\s"]*))?)$/.exec(before);
  if (!m) return undefined;
  return { kind: "mention", start: before.length - m[2].length - 1, query: m[2] };
}

/** How an item is written into the input for a file path or symbol name (quoted when it has spaces). */
export function mentionText(kind: MentionKind, arg = ""): string {
  if (!MENTIONS_WITH_ARG.has(kind)) return `@${kind}`;
  return /[\s"]/.test(arg) ? `@${kind}:"${arg.replace(/"/g, "")}"` : `@${kind}:${arg}`;
}

/**
 * The characters each @-item may take of a request: half of the context window (at about 3.5 characters a token)
 * shared by the items, at least 1,000 and at most 48,000 each. A larger item is cut by the safety filter's budget,
 * which appends a notice the model reads, and the user is told.
 */
export function mentionBudgetChars(contextTokens: number, items: number): number {
  const total = Math.floor((contextTokens > 0 ? contextTokens : 4096) * 3.5 * 0.5);
  return Math.max(1000, Math.min(48_000, Math.floor(total / Math.max(1, items))));
}

export interface DiagnosticLine {
  /** 0-based. */
  readonly line: number;
  readonly severity: "error" | "warning" | "info" | "hint";
  readonly message: string;
  readonly source?: string;
  /** The source line the diagnostic is on. */
  readonly code?: string;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2, hint: 3 } as const;

/**
 * The diagnostics of a file as the model reads them (`@problems`, `/fix`): errors first, then by line, each with
 * its line of code; at most `maxEntries` (a file with thousands of problems gets the worst ones and a count).
 */
export function formatDiagnostics(diagnostics: readonly DiagnosticLine[], maxEntries = 50): string {
  if (diagnostics.length === 0) return "No problems reported for this file.";
  const sorted = [...diagnostics].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.line - b.line);
  const shown = sorted.slice(0, maxEntries);
  const lines = shown.map((d) => {
    const where = `line ${d.line + 1}`;
    const src = d.source ? ` [${d.source}]` : "";
    const code = d.code !== undefined && d.code.trim() !== "" ? `\n    ${d.code.trim().slice(0, 200)}` : "";
    return `- ${d.severity} at ${where}${src}: ${d.message.replace(/\s+/g, " ").slice(0, 500)}${code}`;
  });
  if (sorted.length > shown.length) lines.push(`[… ${sorted.length - shown.length} more problem(s) not listed …]`);
  return lines.join("\n");
}

/** Fuzzy match of a query against a path: every query character in order; lower scores are better, undefined no match. */
export function fuzzyScore(query: string, candidate: string): number | undefined {
  const q = query.toLowerCase();
  const c = candidate.toLowerCase();
  if (q === "") return c.length;
  let score = 0;
  let from = 0;
  const base = c.lastIndexOf("/") + 1;
  for (const ch of q) {
    const at = c.indexOf(ch, from);
    if (at === -1) return undefined;
    score += at - from;
    from = at + 1;
  }
  // Matches in the file name beat matches in folders; a name that starts with the query beats everything.
  if (c.slice(base).startsWith(q)) score -= 1000;
  else if (c.indexOf(q[0], base) !== -1) score -= 100;
  return score + c.length / 100;
}
