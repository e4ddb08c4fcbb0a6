/**
 * The completion cache: an LRU of results keyed by the prompt hash, plus **typing-through**: when the user types
 * the first characters of the suggestion on screen, the rest is served from memory with no model call.
 *
 * Typing-through is keyed by where the suggestion was made (document, line, character, the line's text left of
 * it) and checked against what the document now holds between that point and the cursor: if the typed text is a
 * prefix of the suggestion, the remainder is the answer. The check reads only the lines between the two points.
 */

export interface CacheOptions {
  /** Results kept by prompt hash. Default 256. */
  readonly maxEntries?: number;
  /** Suggestion anchors kept for typing-through. Default 64. */
  readonly maxAnchors?: number;
}

export const CACHE_DEFAULTS = { maxEntries: 256, maxAnchors: 64 } as const;

/** A small LRU on a `Map` (insertion order = recency). */
export class LruCache<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > Math.max(1, this.capacity)) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }

  /** Entries, least recently used first (does not touch recency). */
  values(): IterableIterator<V> {
    return this.map.values();
  }
}

/** What a cached completion holds: the texts the model produced for one prompt (raw, before post-processing). */
export interface CachedCompletion {
  readonly texts: readonly string[];
}

/** Where a suggestion was shown. */
export interface SuggestionAnchor {
  /** Document identity (URI string). Not its version: typing changes the version, that is the point. */
  readonly documentId: string;
  readonly line: number;
  readonly character: number;
  /** The anchor line left of the anchor, to tell that the text before the suggestion is unchanged. */
  readonly linePrefix: string;
}

/** Lines of the current document, read on demand (the host wraps `TextDocument.lineAt`). */
export interface LineReader {
  readonly lineCount: number;
  lineAt(line: number): string;
}

export interface TypingThroughHit {
  /** The part of the suggestion not typed yet. */
  readonly text: string;
  /** Characters of the suggestion the user has typed. */
  readonly typed: number;
  readonly anchor: SuggestionAnchor;
}

interface AnchorEntry {
  readonly anchor: SuggestionAnchor;
  readonly text: string;
}

export class CompletionCache {
  private readonly results: LruCache<CachedCompletion>;
  private readonly anchors: LruCache<AnchorEntry>;

  constructor(options: CacheOptions = {}) {
    this.results = new LruCache(options.maxEntries ?? CACHE_DEFAULTS.maxEntries);
    this.anchors = new LruCache(options.maxAnchors ?? CACHE_DEFAULTS.maxAnchors);
  }

  /** The result for a prompt hash (`promptCacheKey`), refreshing its recency. */
  get(promptKey: string): CachedCompletion | undefined {
    return this.results.get(promptKey);
  }

  set(promptKey: string, value: CachedCompletion): void {
    this.results.set(promptKey, value);
  }

  /** Records the suggestion (post-processed text) shown at `anchor`, replacing an older one at the same place. */
  remember(anchor: SuggestionAnchor, text: string): void {
    if (text.length === 0) return;
    this.anchors.set(anchorKey(anchor), { anchor, text });
  }

  /**
   * The rest of a suggestion the user is typing through at `cursor`, or undefined. A suggestion qualifies when it
   * was made in the same document at or before the cursor (at most `text`'s line count above it), the text left
   * of its anchor is unchanged, and the document between the anchor and the cursor equals the suggestion's start.
   * A fully typed suggestion gives undefined (nothing left to show). Cost: the lines between anchor and cursor.
   */
  typeThrough(documentId: string, doc: LineReader, cursor: { readonly line: number; readonly character: number }): TypingThroughHit | undefined {
    let best: TypingThroughHit | undefined;
    for (const { anchor, text } of this.anchors.values()) {
      if (anchor.documentId !== documentId) continue;
      const hit = matchAnchor(anchor, text, doc, cursor);
      // Prefer the most recent matching anchor: `values()` runs oldest first.
      if (hit) best = hit;
    }
    if (best) this.anchors.get(anchorKey(best.anchor));
    return best;
  }

  /** Forgets the anchors of a document (closed, or edited elsewhere so positions moved). */
  forgetDocument(documentId: string): void {
    for (const { anchor } of [...this.anchors.values()]) {
      if (anchor.documentId === documentId) this.anchors.delete(anchorKey(anchor));
    }
  }

  clear(): void {
    this.results.clear();
    this.anchors.clear();
  }

  get size(): { readonly results: number; readonly anchors: number } {
    return { results: this.results.size, anchors: this.anchors.size };
  }
}

function anchorKey(a: SuggestionAnchor): string {
  return `${a.documentId}\u0000${a.line}\u0000${a.character}`;
}

function matchAnchor(
  anchor: SuggestionAnchor,
  text: string,
  doc: LineReader,
  cursor: { readonly line: number; readonly character: number },
): TypingThroughHit | undefined {
  const lineSpan = cursor.line - anchor.line;
  if (lineSpan < 0 || cursor.line >= doc.lineCount) return undefined;
  let newlines = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) newlines++;
  if (lineSpan > newlines) return undefined;
  const anchorLine = doc.lineAt(anchor.line);
  if (!anchorLine.startsWith(anchor.linePrefix) || anchor.linePrefix.length !== anchor.character) return undefined;
  if (lineSpan === 0 && cursor.character < anchor.character) return undefined;

  // The text typed since the anchor, as the document holds it now.
  let typed: string;
  if (lineSpan === 0) {
    typed = anchorLine.slice(anchor.character, cursor.character);
  } else {
    const parts = [anchorLine.slice(anchor.character)];
    for (let i = anchor.line + 1; i < cursor.line; i++) parts.push(doc.lineAt(i));
    parts.push(doc.lineAt(cursor.line).slice(0, cursor.character));
    typed = parts.join("\n");
  }
  if (typed.length >= text.length || !text.startsWith(typed)) return undefined;
  return { text: text.slice(typed.length), typed: typed.length, anchor };
}
