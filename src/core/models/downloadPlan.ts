/**
 * The decisions of a resumable download, apart from the I/O: what to ask for (a `Range` from the bytes already on
 * disk), what a reply means (append, start over, already complete, fail), and speed/ETA for the progress line.
 * Rules from huggingface_hub and llama.cpp (models-facts.md §2): `Range: bytes=<n>-`; a 200 reply means the range was
 * ignored, so the partial file is truncated and the download restarts; a 206 must start exactly at `<n>`.
 */

export interface ReplyFacts {
  readonly status: number;
  /** `Content-Range` header, e.g. `bytes 100-999/1000`. */
  readonly contentRange?: string;
  readonly contentLength?: number;
}

export type ReplyAction =
  | { readonly action: "append"; readonly from: number; readonly total?: number }
  | { readonly action: "restart"; readonly total?: number }
  | { readonly action: "complete" }
  | { readonly action: "fail"; readonly reason: string; readonly retry: boolean };

/** The header to send when `have` bytes are already on disk (none for a fresh start). */
export function rangeHeader(have: number): string | undefined {
  return have > 0 ? `bytes=${have}-` : undefined;
}

export function parseContentRange(value: string | undefined): { start: number; end: number; total?: number } | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? "");
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), ...(m[3] !== "*" ? { total: Number(m[3]) } : {}) };
}

/** What to do with a reply to a request sent with `have` bytes on disk and `expected` total bytes (if known). */
export function decideReply(have: number, expected: number | undefined, reply: ReplyFacts): ReplyAction {
  const { status } = reply;
  if (status === 200) {
    const total = reply.contentLength;
    if (expected !== undefined && total !== undefined && total !== expected) {
      return { action: "fail", reason: `the server offers ${total} bytes, expected ${expected}`, retry: false };
    }
    return { action: "restart", ...(total !== undefined ? { total } : {}) };
  }
  if (status === 206) {
    const range = parseContentRange(reply.contentRange);
    if (!range || range.start !== have) return { action: "restart" };
    if (expected !== undefined && range.total !== undefined && range.total !== expected) {
      return { action: "fail", reason: `the server offers ${range.total} bytes, expected ${expected}`, retry: false };
    }
    return { action: "append", from: have, ...(range.total !== undefined ? { total: range.total } : {}) };
  }
  if (status === 416) {
    // Nothing left to send: complete when we hold exactly the expected bytes, otherwise start over.
    return expected !== undefined && have === expected ? { action: "complete" } : { action: "restart" };
  }
  const retry = status === 408 || status === 429 || status >= 500;
  return { action: "fail", reason: `HTTP ${status}`, retry };
}

/** Speed over a sliding window and the time left, for "42 % · 12.3 MB/s · 1 min left". */
export class ProgressMeter {
  private readonly samples: { t: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 5_000) {}

  /** Records `bytes` received in total at time `t` (ms); returns bytes per second over the window. */
  sample(t: number, bytes: number): number {
    this.samples.push({ t, bytes });
    while (this.samples.length > 2 && t - (this.samples[0]?.t ?? t) > this.windowMs) this.samples.shift();
    return this.speed();
  }

  speed(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.t <= first.t) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t);
  }

  /** Seconds left for `remaining` bytes at the current speed; undefined while unknown. */
  eta(remaining: number): number | undefined {
    const speed = this.speed();
    return speed > 0 ? remaining / speed : undefined;
  }
}

/** The size and SHA-256 a Hugging Face `HEAD` reply reveals (§2: X-Linked-Size / X-Linked-Etag for LFS files). */
export function hfHeadFacts(headers: Readonly<Record<string, string | undefined>>): { sizeBytes?: number; sha256?: string } {
  const size = Number(headers["x-linked-size"] ?? headers["content-length"]);
  const etag = (headers["x-linked-etag"] ?? headers.etag ?? "").replace(/^W\//, "").replace(/"/g, "");
  return {
    ...(Number.isSafeInteger(size) && size > 0 ? { sizeBytes: size } : {}),
    ...(/^[0-9a-f]{64}$/.test(etag) ? { sha256: etag } : {}),
  };
}

/** `hf:user/repo/path/file.gguf` (optionally `#revision`) or an https/http URL → a download URL and a file name. */
export function parseModelUri(input: string, endpoint: string): { url: string; fileName: string; repo?: string } | { error: string } {
  const text = input.trim();
  const hf = /^hf:([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)\/([^#]+\.gguf)(?:#([A-Za-z0-9_./-]+))?$/i.exec(text);
  if (hf) {
    const [, repo = "", file = "", revision = "main"] = hf;
    if (file.split("/").includes("..")) return { error: "the file path must stay inside the repository" };
    const base = endpoint.replace(/\/+$/, "");
    return { url: `${base}/${repo}/resolve/${encodeURIComponent(revision)}/${file.split("/").map(encodeURIComponent).join("/")}`, fileName: file.split("/").pop() ?? file, repo };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { error: "enter hf:<user>/<repo>/<file>.gguf or an https:// URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { error: "only http(s) URLs can be downloaded" };
  const last = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  if (!/\.gguf$/i.test(last) || /[\\/]/.test(last) || last.startsWith(".")) return { error: "the URL must name a .gguf file" };
  return { url: url.toString(), fileName: last };
}
