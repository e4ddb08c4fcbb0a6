/**
 * Warm files: the KV state of the few most recently used prompts (in practice: files) is kept, so switching back to
 * a recent file is warm. The completion sequence holds one prompt; when a request (or a prewarm) would throw most of
 * it away, its state is saved first (node-llama-cpp's `saveStateToFile`, ~12 KB a token for a 0.5B model), and when
 * a saved state shares a longer start with the new prompt than the sequence does, it is loaded instead of evaluating
 * that start again. One context, one sequence: nothing races for threads (shared/fim-latency.md: several contexts
 * lost half their threads to each other).
 *
 * The files live in a private temporary folder (0700) of this process, removed on dispose (folders left by a child
 * that crashed are removed when the next one saves its first state); the count kept follows
 * free memory (the page cache holds them), between 0 and {@link MAX_WARM_FILES}.
 */
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { ChildLogger } from "./log.ts";

/** Most states kept. */
export const MAX_WARM_FILES = 4;
/** A state shorter than this is cheap to evaluate again: not saved. */
const MIN_SAVED_TOKENS = 128;
/** A saved state is loaded only when it saves at least this many tokens of evaluation over the sequence's own. */
const MIN_RESTORE_GAIN = 64;
/** Share of free memory the kept states may take. */
const FREE_MEMORY_SHARE = 0.1;

interface SavedState {
  readonly file: string;
  readonly tokens: readonly Token[];
  readonly bytes: number;
}

export interface PrepareResult {
  /** Tokens of the prompt's start that came from a saved state (0: none was loaded). */
  readonly restoredTokens: number;
  /** Whether the sequence's previous state was saved before it is overwritten. */
  readonly saved: boolean;
}

const FOLDER_PREFIX = "private-coder-warm-";

/** Removes state folders of engine processes that no longer run (a crash skips dispose). */
async function removeOrphans(): Promise<void> {
  const names = await readdir(os.tmpdir()).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(/^private-coder-warm-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    await rm(path.join(os.tmpdir(), name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}

export class WarmFiles {
  private dir: Promise<string> | null = null;
  private states: SavedState[] = [];
  private counter = 0;
  private disposed = false;

  /**
   * @param log for the metadata-only lines (token counts, never text).
   * @param capacity overrides the count derived from free memory (tests; 0 turns the feature off).
   */
  constructor(
    private readonly log: Pick<ChildLogger, "debug" | "warn">,
    private readonly capacity?: number,
  ) {}

  /** How many states are kept now. */
  get size(): number {
    return this.states.length;
  }

  /**
   * Before `prompt` is evaluated on `sequence`: saves the sequence's state when the prompt would discard most of it,
   * and loads the saved state that shares the longest start with the prompt when that beats the sequence's own.
   * Failures only cost speed (logged, never thrown).
   */
  async prepare(sequence: LlamaContextSequence, prompt: readonly Token[]): Promise<PrepareResult> {
    if (this.disposed || this.limit(0) === 0) return { restoredTokens: 0, saved: false };
    const current = sequence.contextTokens;
    const own = commonPrefixLength(current, prompt);
    let best: SavedState | undefined;
    let bestLength = own;
    for (const state of this.states) {
      const length = commonPrefixLength(state.tokens, prompt);
      if (length > bestLength) [best, bestLength] = [state, length];
    }
    const discards = current.length >= MIN_SAVED_TOKENS && own < current.length / 2;
    let saved = false;
    try {
      if (discards) saved = await this.save(sequence, current);
    } catch (error) {
      this.log.warn(`warm files: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The save may have replaced `best` (an older state of the same file) and deleted its file: restore only a state
    // that is still kept.
    if (best && this.states.includes(best) && bestLength - own >= MIN_RESTORE_GAIN) {
      try {
        // A file that is gone (a temp-folder cleaner) is skipped with the sequence as it is.
        await access(best.file);
        // node-llama-cpp empties its token list before the native load, which leaves the KV cache as it was when the
        // load fails (a corrupt or cut file): the two then disagree and every later decode fails with "inconsistent
        // sequence positions". Clearing the sequence first keeps them agreeing whatever the load does.
        await sequence.clearHistory();
        await sequence.loadStateFromFile(best.file, { acceptRisk: true });
        // Most recently used last.
        this.states = [...this.states.filter((s) => s !== best), best];
        return { restoredTokens: bestLength, saved };
      } catch (error) {
        this.log.warn(`warm files: a saved state could not be restored (${error instanceof Error ? error.message : String(error)}); it is forgotten`);
        this.states = this.states.filter((s) => s !== best);
      }
    }
    return { restoredTokens: 0, saved };
  }

  /** Deletes every saved state and the folder. */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.states = [];
    const dir = await this.dir?.catch(() => null);
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }

  private async save(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<boolean> {
    // An older state of the same file (it shares most of its start with this one) is replaced, not kept twice.
    const stale = this.states.filter((s) => commonPrefixLength(s.tokens, tokens) >= Math.min(s.tokens.length, tokens.length) / 2);
    const dir = await this.folder();
    const file = path.join(dir, `state-${++this.counter}.bin`);
    const { fileSize } = await sequence.saveStateToFile(file);
    const kept = this.states.filter((s) => !stale.includes(s));
    kept.push({ file, tokens: [...tokens], bytes: fileSize });
    const limit = this.limit(fileSize);
    const dropped = [...stale, ...kept.splice(0, Math.max(0, kept.length - limit))];
    this.states = kept;
    await Promise.all(dropped.map((s) => rm(s.file, { force: true }).catch(() => undefined)));
    this.log.debug(`warm files: saved ${tokens.length} tokens (${Math.round(fileSize / 1024)} KiB), keeping ${kept.length}`);
    return kept.some((s) => s.file === file);
  }

  /** States that may be kept: by free memory (each about `bytesEach`), at most {@link MAX_WARM_FILES}. */
  private limit(bytesEach: number): number {
    if (this.capacity !== undefined) return this.capacity;
    if (bytesEach <= 0) return MAX_WARM_FILES;
    return Math.max(0, Math.min(MAX_WARM_FILES, Math.floor((os.freemem() * FREE_MEMORY_SHARE) / bytesEach)));
  }

  private folder(): Promise<string> {
    // mkdtemp creates the folder with mode 0700: the states are derived from the user's code.
    this.dir ??= removeOrphans().then(() => mkdtemp(path.join(os.tmpdir(), `${FOLDER_PREFIX}${process.pid}-`)));
    return this.dir;
  }
}
