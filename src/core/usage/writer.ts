/**
 * Appends usage records to the log in batches, off the typing path: `write` only queues (no I/O, no await); a timer
 * or a full batch flushes. The log is two files, `usage.jsonl` and the older `usage.1.jsonl`: when the current one
 * would pass half the cap it becomes the older one (replacing it), so both together stay under the cap.
 * File access and timers are injected so the unit tests run it without disk or waiting.
 */
import { serializeUsageRecord, type UsageRecord } from "./record.ts";

export const USAGE_FILE = "usage.jsonl";
export const USAGE_OLD_FILE = "usage.1.jsonl";

/** The file operations the writer needs (paths are the bare file names above; the adapter adds the folder). */
export interface UsageFiles {
  append(name: string, text: string): Promise<void>;
  /** The file's size in bytes; 0 when it does not exist. */
  size(name: string): Promise<number>;
  /** Renames, replacing `to`; no error when `from` does not exist. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes; no error when it does not exist. */
  remove(name: string): Promise<void>;
}

export interface UsageTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface UsageWriterOptions {
  readonly files: UsageFiles;
  /** The cap on both files together, in bytes (read at each flush, so a settings change applies at once). */
  readonly maxBytes: () => number;
  /** Milliseconds a record may wait in memory before it is written. Default 2,000. */
  readonly flushDelayMs?: number;
  /** Records that make a batch: this many queued flush at once. Default 200. */
  readonly batchSize?: number;
  /** Default: `setTimeout` / `clearTimeout`. */
  readonly timers?: UsageTimers;
  /** Told when a batch could not be written (the records are dropped: the log must never grow the host's memory). */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_TIMERS: UsageTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The queue never holds more than this many records (writes failing for long): the oldest go. */
const MAX_QUEUED = 10_000;

export class UsageLogWriter {
  private queue: string[] = [];
  private timer: unknown;
  /** The current file's size as far as this writer knows (undefined: ask the disk). */
  private currentBytes: number | undefined;
  /** Flushes run one after another. */
  private chain: Promise<void> = Promise.resolve();
  private disposed = false;
  private readonly timers: UsageTimers;
  private readonly flushDelayMs: number;
  private readonly batchSize: number;

  constructor(private readonly options: UsageWriterOptions) {
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.flushDelayMs = options.flushDelayMs ?? 2000;
    this.batchSize = options.batchSize ?? 200;
  }

  /** Records waiting to be written. */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues a record: synchronous and cheap, whatever the disk is doing. */
  write(record: UsageRecord): void {
    if (this.disposed) return;
    this.queue.push(serializeUsageRecord(record));
    if (this.queue.length > MAX_QUEUED) this.queue.splice(0, this.queue.length - MAX_QUEUED);
    if (this.queue.length >= this.batchSize) void this.flush();
    else if (this.timer === undefined) this.timer = this.timers.set(() => void this.flush(), this.flushDelayMs);
  }

  /** Writes everything queued; resolves when it is on disk (or was dropped after an error). */
  flush(): Promise<void> {
    this.cancelTimer();
    const lines = this.queue;
    this.queue = [];
    if (lines.length === 0) return this.chain;
    this.chain = this.chain.then(() => this.append(lines)).catch((error: unknown) => this.options.onError?.(error));
    return this.chain;
  }

  /** Deletes both files and whatever is queued. */
  clear(): Promise<void> {
    this.cancelTimer();
    this.queue = [];
    this.chain = this.chain
      .then(async () => {
        await this.options.files.remove(USAGE_FILE);
        await this.options.files.remove(USAGE_OLD_FILE);
        this.currentBytes = 0;
      })
      .catch((error: unknown) => this.options.onError?.(error));
    return this.chain;
  }

  /** Flushes and stops taking records. */
  async dispose(): Promise<void> {
    await this.flush();
    this.disposed = true;
  }

  private async append(lines: readonly string[]): Promise<void> {
    const { files } = this.options;
    const half = Math.max(1024, Math.floor(this.options.maxBytes() / 2));
    this.currentBytes ??= await files.size(USAGE_FILE);
    let chunk: string[] = [];
    let chunkBytes = 0;
    for (const line of lines) {
      const bytes = utf8Length(line) + 1;
      if (this.currentBytes + chunkBytes + bytes > half && this.currentBytes + chunkBytes > 0) {
        if (chunk.length > 0) await files.append(USAGE_FILE, `${chunk.join("\n")}\n`);
        await files.rename(USAGE_FILE, USAGE_OLD_FILE);
        this.currentBytes = 0;
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(line);
      chunkBytes += bytes;
    }
    if (chunk.length > 0) await files.append(USAGE_FILE, `${chunk.join("\n")}\n`);
    this.currentBytes += chunkBytes;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}

/** UTF-8 byte length without Node's Buffer (src/core runs in every room). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
