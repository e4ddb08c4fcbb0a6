/**
 * The answer cache (design article section 5.2): a question asked again on the same context is answered from a
 * local cache. The key is the normalised question plus a hash of everything else the model saw (attachments,
 * earlier turns, the model): an exact match, or a near-duplicate whose word sets have a Jaccard similarity of at
 * least the threshold (0.95 as in the article), on the same context. Size-capped (entries and characters, least
 * recently used go first). It only ever holds what the model saw and wrote, which the safety filter produced.
 */

/** Lower case, Unicode-normalised, punctuation at word edges removed, whitespace collapsed. */
export function normaliseQuestion(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}_$@/.#-]+|[^\p{L}\p{N}_$)\]]+$/gu, ""))
    .filter((w) => w !== "")
    .join(" ");
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

export interface CachedAnswer {
  readonly question: string;
  readonly contextKey: string;
  readonly answer: string;
  /** The conversation the answer was first given in: deleting it removes the entry. */
  readonly conversationId: string;
  readonly createdAt: number;
}

export interface AnswerCacheOptions {
  /** Most entries kept. Default 200. */
  readonly maxEntries?: number;
  /** Most characters (questions and answers) kept. Default 2,000,000. */
  readonly maxChars?: number;
  /** Least Jaccard similarity of the questions' word sets for a near-duplicate. Default 0.95. */
  readonly threshold?: number;
}

interface Entry extends CachedAnswer {
  readonly words: ReadonlySet<string>;
}

export class AnswerCache {
  private readonly entries = new Map<string, Entry>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly threshold: number;

  constructor(options: AnswerCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 200;
    this.maxChars = options.maxChars ?? 2_000_000;
    this.threshold = options.threshold ?? 0.95;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached answer for `question` on `contextKey`, or undefined. A hit becomes the most recently used. */
  lookup(question: string, contextKey: string): CachedAnswer | undefined {
    const normal = normaliseQuestion(question);
    if (normal === "") return undefined;
    const exact = this.entries.get(key(normal, contextKey));
    let hit: Entry | undefined = exact;
    if (!hit) {
      const words = new Set(normal.split(" "));
      let best = 0;
      for (const entry of this.entries.values()) {
        if (entry.contextKey !== contextKey) continue;
        const score = jaccard(words, entry.words);
        if (score >= this.threshold && score > best) {
          best = score;
          hit = entry;
        }
      }
    }
    if (!hit) return undefined;
    const k = key(hit.question, hit.contextKey);
    this.entries.delete(k);
    this.entries.set(k, hit);
    return hit;
  }

  store(question: string, contextKey: string, answer: string, conversationId: string, now = Date.now()): void {
    const normal = normaliseQuestion(question);
    if (normal === "" || answer.trim() === "") return;
    const size = normal.length + answer.length;
    if (size > this.maxChars) return;
    const k = key(normal, contextKey);
    this.remove(k);
    this.entries.set(k, { question: normal, contextKey, answer, conversationId, createdAt: now, words: new Set(normal.split(" ")) });
    this.chars += size;
    while (this.entries.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
  }

  /** Drops the answers first given in conversation `id` (it was deleted). */
  deleteConversation(id: string): void {
    for (const [k, entry] of this.entries) if (entry.conversationId === id) this.remove(k);
  }

  clear(): void {
    this.entries.clear();
    this.chars = 0;
  }

  private remove(k: string): void {
    const entry = this.entries.get(k);
    if (!entry) return;
    this.chars -= entry.question.length + entry.answer.length;
    this.entries.delete(k);
  }
}

function key(normal: string, contextKey: string): string {
  return `${contextKey}\u0000${normal}`;
}
