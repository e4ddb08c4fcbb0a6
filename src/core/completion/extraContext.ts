/**
 * Extra context from other files: snippets of recently edited and recently viewed files of the same language,
 * ranked by how many identifiers they share with the code around the cursor (Jaccard similarity over sliding
 * windows of lines, as Copilot's "neighboring tabs" does), deduplicated and capped by tokens.
 *
 * Two steps so that nothing reads a whole file per keystroke: {@link indexSnippets} splits a file into windows and
 * tokenizes them once (the host caches the index per document version); {@link selectExtraContext} only compares
 * identifier sets. The chunks go *before* the prefix in the prompt, so a change in them re-evaluates everything:
 * previously chosen chunks are kept while they still qualify ("sticky"), in the same order.
 */
import { hashString } from "./hash.ts";
import { commentLine } from "./languages.ts";
import { estimateTokens, type TokenCounter } from "./tokens.ts";
import type { PromptChunk } from "./context.ts";

/** A file the user recently edited or viewed. */
export interface SnippetSource {
  /** Workspace-relative path (shown to the model in the chunk header). */
  readonly path: string;
  readonly languageId: string;
  /** The file's lines (the host passes `document.getText().split(/\r?\n/)` once per version, not per keystroke). */
  readonly lines: readonly string[];
  /** Where the user was in that file (last edit or visible range); large files are indexed around it. Default 0. */
  readonly focusLine?: number;
}

export interface IndexOptions {
  /** Lines per window. Default 20. */
  readonly windowLines?: number;
  /** Lines between window starts (overlapping windows). Default 10. */
  readonly step?: number;
  /** Lines indexed per file, centred on `focusLine` (bounds the indexing cost of huge files). Default 2000. */
  readonly maxLines?: number;
}

/** One window of a source, with its identifier set. */
export interface Snippet {
  readonly path: string;
  readonly languageId: string;
  /** First line (0-based) and last line (inclusive) of the window in its file. */
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
  readonly identifiers: ReadonlySet<string>;
  /** Stable id: path and line range, used for stickiness. */
  readonly id: string;
}

export const EXTRA_DEFAULTS = {
  windowLines: 20,
  step: 10,
  maxLines: 2000,
  maxChunks: 3,
  minScore: 0.1,
  stickyFactor: 0.5,
} as const;

/**
 * Identifier-like words (letters, digits, `_`, `$`; at least 2 characters), minus keywords common to many
 * languages: keywords are shared by all code and would make every window look similar.
 */
export function identifierSet(text: string): Set<string> {
  const set = new Set<string>();
  for (const m of text.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*/g)) {
    const word = m[0];
    if (word.length < 2 || KEYWORDS.has(word)) continue;
    set.add(word);
  }
  return set;
}

const KEYWORDS = new Set(
  (
    "if else for while do return const let var function class new this self def import from export default as in of " +
    "is not and or true false null undefined None True False nil void int float double bool boolean string char long " +
    "public private protected static final async await try catch finally throw throws switch case break continue " +
    "struct enum interface type impl fn pub use mod let mut match where package func go defer range elif lambda pass " +
    "with yield end then begin include extends implements super typeof instanceof delete"
  ).split(" "),
);

/** Jaccard similarity |a ∩ b| / |a ∪ b| (0 when both are empty). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const x of small) if (large.has(x)) common++;
  return common / (a.size + b.size - common);
}

/**
 * Splits `source` into overlapping windows of `windowLines` lines every `step` lines, each with its identifier set.
 * Blank windows are skipped. Cost O(min(lines, maxLines)); call once per document version.
 */
export function indexSnippets(source: SnippetSource, options: IndexOptions = {}): Snippet[] {
  const windowLines = Math.max(1, options.windowLines ?? EXTRA_DEFAULTS.windowLines);
  const step = Math.max(1, options.step ?? EXTRA_DEFAULTS.step);
  const maxLines = Math.max(windowLines, options.maxLines ?? EXTRA_DEFAULTS.maxLines);
  const total = source.lines.length;
  const focus = Math.min(Math.max(0, source.focusLine ?? 0), Math.max(0, total - 1));
  const from = Math.max(0, Math.min(focus - Math.floor(maxLines / 2), total - maxLines));
  const to = Math.min(total, from + maxLines);
  const snippets: Snippet[] = [];
  for (let start = from; start < to; start += step) {
    const end = Math.min(to, start + windowLines) - 1;
    const text = source.lines.slice(start, end + 1).join("\n");
    if (text.trim().length > 0) {
      snippets.push({
        path: source.path,
        languageId: source.languageId,
        startLine: start,
        endLine: end,
        text,
        identifiers: identifierSet(text),
        id: `${source.path}:${start}-${end}`,
      });
    }
    if (end >= to - 1) break;
  }
  return snippets;
}

/** What the current prompt already shows: windows overlapping it are left out. */
export interface CurrentWindow {
  readonly path: string | undefined;
  /** First and last (inclusive) document line of the prompt's prefix+suffix. */
  readonly startLine: number;
  readonly endLine: number;
  /** The prompt's prefix text, to leave out snippets it already contains verbatim. */
  readonly prefix?: string;
}

export interface SelectOptions {
  /** Language of the current document: only snippets of this language qualify. */
  readonly languageId: string;
  /** Token cap for all chunks together (headers included). Use `CompletionContext.budget.extra`. */
  readonly maxTokens: number;
  readonly current?: CurrentWindow;
  /** At most this many chunks. Default 3. */
  readonly maxChunks?: number;
  /** Jaccard score below which a snippet is noise. Default 0.1. */
  readonly minScore?: number;
  /**
   * Ids ({@link ExtraChunk.id}) chosen last time, in order. They are kept first, in that order, while their score is
   * at least `stickyFactor` × the best score, so the start of the prompt (and the KV cache) survives small moves.
   */
  readonly previous?: readonly string[];
  /** Default 0.5. */
  readonly stickyFactor?: number;
  /** Default {@link estimateTokens}. */
  readonly countTokens?: TokenCounter;
  /** Put a `// Path: …` comment line above each chunk. Default true. */
  readonly header?: boolean;
}

/** A chosen chunk: the engine fields (`text`, no `path`: the header is already a comment in `text`) plus provenance. */
export interface ExtraChunk extends PromptChunk {
  readonly id: string;
  readonly sourcePath: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly score: number;
  readonly tokens: number;
}

/**
 * Picks the snippets most similar to `query` (the code around the cursor: `CompletionContext.nearCursor`), at most
 * `maxChunks`, within `maxTokens`. The result is ordered sticky chunks first (previous order), then new ones from
 * least to most similar, so the most similar sits nearest the prefix. `path` is left unset on purpose: the engine
 * would print it as a bare line, while the comment header in `text` reads as code to the model.
 */
export function selectExtraContext(query: string, snippets: Iterable<Snippet>, options: SelectOptions): ExtraChunk[] {
  const maxChunks = Math.max(0, options.maxChunks ?? EXTRA_DEFAULTS.maxChunks);
  const minScore = options.minScore ?? EXTRA_DEFAULTS.minScore;
  const stickyFactor = options.stickyFactor ?? EXTRA_DEFAULTS.stickyFactor;
  const count = options.countTokens ?? estimateTokens;
  if (maxChunks === 0 || options.maxTokens <= 0) return [];
  const queryIds = identifierSet(query);
  if (queryIds.size === 0) return [];

  const scored: { snippet: Snippet; score: number }[] = [];
  for (const snippet of snippets) {
    if (snippet.languageId !== options.languageId) continue;
    if (overlapsCurrent(snippet, options.current)) continue;
    const score = jaccard(queryIds, snippet.identifiers);
    if (score >= minScore) scored.push({ snippet, score });
  }
  if (scored.length === 0) return [];
  // Ties broken by id so the choice is deterministic (plain comparison: localeCompare is slow here).
  scored.sort((x, y) => y.score - x.score || (x.snippet.id < y.snippet.id ? -1 : x.snippet.id > y.snippet.id ? 1 : 0));
  const best = scored[0].score;

  const byId = new Map(scored.map((s) => [s.snippet.id, s]));
  const sticky: { snippet: Snippet; score: number }[] = [];
  for (const id of options.previous ?? []) {
    const s = byId.get(id);
    if (s && s.score >= best * stickyFactor) sticky.push(s);
  }
  const stickyIds = new Set(sticky.map((s) => s.snippet.id));
  const ordered = [...sticky, ...scored.filter((s) => !stickyIds.has(s.snippet.id))];

  const chosen: ExtraChunk[] = [];
  const seenText = new Set<string>();
  let used = 0;
  for (const { snippet, score } of ordered) {
    if (chosen.length >= maxChunks) break;
    if (chosen.some((c) => c.sourcePath === snippet.path && c.startLine <= snippet.endLine && snippet.startLine <= c.endLine)) continue;
    // Cheapest checks first: most candidates fail on the token cap once a chunk or two are in.
    const header = options.header === false ? undefined : commentLine(snippet.languageId, `Path: ${snippet.path}`);
    const text = header ? `${header}\n${snippet.text}\n` : `${snippet.text}\n`;
    const tokens = count(text);
    if (used + tokens > options.maxTokens) continue;
    const normalized = hashString(snippet.text.replace(/\s+/g, " ").trim());
    if (seenText.has(normalized)) continue;
    if (options.current?.prefix && options.current.prefix.includes(snippet.text)) continue;
    used += tokens;
    seenText.add(normalized);
    chosen.push({ text, id: snippet.id, sourcePath: snippet.path, startLine: snippet.startLine, endLine: snippet.endLine, score, tokens });
  }
  const stickyChosen = chosen.filter((c) => stickyIds.has(c.id));
  const fresh = chosen.filter((c) => !stickyIds.has(c.id)).sort((x, y) => x.score - y.score);
  return [...stickyChosen, ...fresh];
}

function overlapsCurrent(snippet: Snippet, current: CurrentWindow | undefined): boolean {
  if (!current || current.path === undefined || snippet.path !== current.path) return false;
  return snippet.startLine <= current.endLine && current.startLine <= snippet.endLine;
}
