/**
 * Reads the few header facts the model list shows and the fit estimate needs (architecture, quantization, layers,
 * context length, attention shape, FIM tokens) from a GGUF file's key/value section, through an injected
 * `read(offset, length)` so it runs on any byte source (a file, a test buffer). It never reads tensor data, and it
 * stops after `maxBytes` so a hostile header (a billion-entry array) cannot make the list slow.
 */

/** Reads up to `length` bytes at `offset`; a shorter result means the end of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;

export interface GgufSummary {
  readonly version: number;
  readonly architecture?: string;
  readonly name?: string;
  /** `general.file_type` (llama.h `llama_ftype`), shown as a quantization name. */
  readonly fileType?: number;
  readonly quantization?: string;
  readonly contextLength?: number;
  readonly blockCount?: number;
  readonly embeddingLength?: number;
  readonly headCount?: number;
  readonly headCountKv?: number;
  /** The vocabulary has fill-in-the-middle tokens (or the header names their ids). */
  readonly fim: boolean;
}

export interface GgufReadOptions {
  /** Most header bytes read before giving up. Default 64 MiB (a 256k-token vocabulary is ~5 MB). */
  readonly maxBytes?: number;
}

/** llama.h `llama_ftype` → the name users know from file names. */
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
  13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
  21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
  29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
};

export function quantizationName(fileType: number | undefined): string | undefined {
  return fileType === undefined ? undefined : (FILE_TYPES[fileType] ?? `type ${fileType}`);
}

/** Token texts that mark a FIM vocabulary (Qwen/StarCoder, CodeGemma, DeepSeek-Coder, CodeLlama). */
const FIM_TOKEN_TEXTS = new Set(["<|fim_prefix|>", "<fim_prefix>", "<fim-prefix>", "<｜fim▁begin｜>", "▁<PRE>", "<PRE>"]);
const FIM_ID_KEY = "tokenizer.ggml.fim_pre_token_id";

export class GgufFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GgufFormatError";
  }
}

const CHUNK = 1 << 20;
const decoder = new TextDecoder("utf-8", { fatal: false });

/** A forward-only reader over `read`, buffered in 1 MiB chunks. */
class Cursor {
  private buffer = new Uint8Array(0);
  private view = new DataView(this.buffer.buffer);
  private start = 0;
  private pos = 0;
  constructor(
    private readonly read: ReadAt,
    private readonly maxBytes: number,
  ) {}

  get offset(): number {
    return this.start + this.pos;
  }

  private async ensure(n: number): Promise<void> {
    if (this.pos + n <= this.buffer.length) return;
    if (this.offset + n > this.maxBytes) throw new GgufFormatError(`header larger than ${this.maxBytes} bytes`);
    const keep = this.buffer.subarray(this.pos);
    const more = await this.read(this.start + this.buffer.length, Math.max(CHUNK, n));
    const next = new Uint8Array(keep.length + more.length);
    next.set(keep, 0);
    next.set(more, keep.length);
    this.start += this.pos;
    this.pos = 0;
    this.buffer = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    if (next.length < n) throw new GgufFormatError("the file ends inside its header (truncated)");
  }

  async u8(): Promise<number> {
    await this.ensure(1);
    return this.view.getUint8(this.pos++);
  }
  async u32(): Promise<number> {
    await this.ensure(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  async u64(): Promise<number> {
    await this.ensure(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError("a count in the header is out of range");
    return Number(v);
  }
  async bytes(n: number): Promise<Uint8Array> {
    await this.ensure(n);
    const out = this.buffer.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  async skip(n: number): Promise<void> {
    if (this.offset + n > this.maxBytes) throw new GgufFormatError(`header larger than ${this.maxBytes} bytes`);
    await this.ensure(Math.min(n, CHUNK));
    // Large skips move the window without reading what is skipped.
    if (this.pos + n <= this.buffer.length) this.pos += n;
    else {
      this.start = this.offset + n;
      this.pos = 0;
      this.buffer = new Uint8Array(0);
    }
  }
  async string(): Promise<string> {
    const length = await this.u64();
    return decoder.decode(await this.bytes(length));
  }
  /**
   * Skips an array of `count` strings, showing each short one (≤ 24 bytes) to `inspect` until it returns true;
   * returns whether it did. Synchronous while the strings lie in the buffer: an `await` per string made a
   * 150,000-token vocabulary (plus as many merges) cost ~0.5 s per file, ~1 s with four files read at once.
   */
  async skipStrings(count: number, inspect?: (bytes: Uint8Array) => boolean): Promise<boolean> {
    let found = false;
    for (let j = 0; j < count; j++) {
      if (this.pos + 8 <= this.buffer.length) {
        const length = this.view.getBigUint64(this.pos, true);
        const end = this.pos + 8 + Number(length);
        if (length <= BigInt(CHUNK) && end <= this.buffer.length && this.start + end <= this.maxBytes) {
          if (inspect && !found && length <= 24n) found = inspect(this.buffer.subarray(this.pos + 8, end));
          this.pos = end;
          continue;
        }
      }
      // Crossing the end of the buffer (or a long or bad length): one string the careful way.
      const length = await this.u64();
      if (inspect && !found && length <= 24) found = inspect(await this.bytes(length));
      else await this.skip(length);
    }
    return found;
  }
}

/** Sizes of the fixed-width GGUF value types (index = type id); 8 string and 9 array are variable. */
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

async function readScalar(c: Cursor, type: number): Promise<number | string | boolean | undefined> {
  switch (type) {
    case 0:
    case 1:
      return c.u8();
    case 4:
    case 5:
      return c.u32();
    case 7:
      return (await c.u8()) !== 0;
    case 8:
      return c.string();
    case 10:
    case 11:
      return c.u64();
    default: {
      const size = FIXED_SIZE[type];
      if (size === undefined) throw new GgufFormatError(`unknown value type ${type}`);
      await c.skip(size);
      return undefined;
    }
  }
}

/** Parses the header; throws `GgufFormatError` for a file that is not a readable GGUF v2/v3. */
export async function readGgufSummary(read: ReadAt, options: GgufReadOptions = {}): Promise<GgufSummary> {
  const c = new Cursor(read, options.maxBytes ?? 64 * 1024 * 1024);
  const magic = decoder.decode(await c.bytes(4).catch(() => new Uint8Array(0)));
  if (magic !== "GGUF") throw new GgufFormatError("not a GGUF file");
  const version = await c.u32();
  if (version !== 2 && version !== 3) throw new GgufFormatError(`unsupported GGUF version ${version}`);
  await c.u64(); // tensor count
  const kvCount = await c.u64();
  const values = new Map<string, number | string | boolean>();
  let fim = false;
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string();
    const type = await c.u32();
    if (type === 9) {
      const itemType = await c.u32();
      const count = await c.u64();
      if (itemType === 8) {
        const scanTokens = key === "tokenizer.ggml.tokens" && !fim;
        const found = await c.skipStrings(count, scanTokens ? (bytes) => FIM_TOKEN_TEXTS.has(decoder.decode(bytes)) : undefined);
        fim ||= found;
      } else if (FIXED_SIZE[itemType] !== undefined) await c.skip(FIXED_SIZE[itemType] * count);
      else if (count > 0) throw new GgufFormatError(`unsupported array item type ${itemType}`);
      continue;
    }
    const value = await readScalar(c, type);
    if (value !== undefined) values.set(key, value);
  }
  const architecture = str(values.get("general.architecture"));
  const archNum = (suffix: string) => (architecture ? num(values.get(`${architecture}.${suffix}`)) : undefined);
  const fileType = num(values.get("general.file_type"));
  return {
    version,
    architecture,
    name: str(values.get("general.name")),
    fileType,
    quantization: quantizationName(fileType),
    contextLength: archNum("context_length"),
    blockCount: archNum("block_count"),
    embeddingLength: archNum("embedding_length"),
    headCount: archNum("attention.head_count"),
    headCountKv: archNum("attention.head_count_kv"),
    fim: fim || values.has(FIM_ID_KEY),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}
