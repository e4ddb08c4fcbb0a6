/**
 * Downloads one model file with resume, then verifies it. No `vscode` import (unit- and integration-testable); it
 * uses Node's http/https, which VS Code's extension host patches to honour the user's proxy settings.
 *
 * The bytes go to `<dir>/.partial/<name>.part` (a hidden folder, a name that does not end in `.gguf`, so neither
 * discovery nor the user's file picker takes it for a model) beside a `.part.json` naming the URL, size and hash it
 * belongs to. A cancel, a dropped connection or a restart of VS Code leaves the part for the next try, which asks
 * for the rest with `Range`. Only a file with the expected size, SHA-256 and GGUF magic is renamed (atomically, same
 * folder tree) to `<dir>/<name>`; a failed check deletes the part.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, stat, statfs, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { decideReply, hfHeadFacts, ProgressMeter, rangeHeader } from "../../core/models/downloadPlan.ts";
import { checkGgufHeader } from "./ggufHeader.ts";

export type DownloadErrorCode = "cancelled" | "diskFull" | "hashMismatch" | "sizeMismatch" | "notGguf" | "http" | "network" | "badName";

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

export interface DownloadProgress {
  readonly receivedBytes: number;
  readonly totalBytes?: number;
  readonly bytesPerSecond: number;
  readonly etaSeconds?: number;
}

export interface DownloadRequest {
  readonly url: string;
  /** Final file name in `dir` (no folders). */
  readonly fileName: string;
  readonly dir: string;
  /** Expected size; when absent, taken from the server's `X-Linked-Size` / `Content-Length`. */
  readonly sizeBytes?: number;
  /** Expected SHA-256 (hex); when absent, the server's LFS etag if it is one, else the file is checked for size only. */
  readonly sha256?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Dropped connections resumed automatically before giving up. Default 5. */
  readonly retries?: number;
  /** Free bytes in `dir` (tests simulate a full disk). Default: `statfs`. */
  readonly freeBytes?: (dir: string) => Promise<number | undefined>;
  readonly log?: (line: string) => void;
}

export interface DownloadResult {
  readonly path: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  /** The SHA-256 was compared with a known value (catalog or server etag). */
  readonly hashVerified: boolean;
  /** Offsets the transfer resumed from (one per resumed request). */
  readonly resumedFrom: readonly number[];
}

interface PartMeta {
  url: string;
  sizeBytes?: number;
  identity: string;
}

const MAX_REDIRECTS = 5;
const IDLE_TIMEOUT_MS = 30_000;

export function partialPaths(dir: string, fileName: string): { part: string; meta: string } {
  const part = path.join(dir, ".partial", `${fileName}.part`);
  return { part, meta: `${part}.json` };
}

export async function downloadModel(request: DownloadRequest): Promise<DownloadResult> {
  const { dir, fileName, signal } = request;
  if (!/^[^\\/]+\.gguf$/i.test(fileName) || fileName.startsWith(".")) throw new DownloadError("badName", `not a model file name: ${fileName}`);
  let expectedSize = request.sizeBytes;
  let expectedSha = request.sha256?.toLowerCase();
  if (expectedSize === undefined || expectedSha === undefined) {
    const facts = await headFacts(request.url, signal).catch((): { sizeBytes?: number; sha256?: string } => ({}));
    expectedSize ??= facts.sizeBytes;
    expectedSha ??= facts.sha256;
  }
  let sha256 = "";
  const result = await downloadFile({
    ...request,
    finalPath: path.join(dir, fileName),
    ...(expectedSize !== undefined ? { sizeBytes: expectedSize } : {}),
    identity: expectedSha ?? "",
    verify: async (part) => {
      sha256 = await hashFile(part, "sha256", "hex", signal);
      if (expectedSha !== undefined && sha256 !== expectedSha) throw new DownloadError("hashMismatch", `SHA-256 mismatch: got ${sha256}, expected ${expectedSha}`);
      if ((await checkGgufHeader(part)) !== "ok") throw new DownloadError("notGguf", "the downloaded file is not a GGUF model (an error page?)");
    },
  });
  request.log?.(`Downloaded ${fileName}: ${result.sizeBytes} bytes, SHA-256 ${expectedSha ? "verified" : "not published, size checked only"}${result.resumedFrom.length ? `, resumed ${result.resumedFrom.length}×` : ""}.`);
  return { ...result, sha256, hashVerified: expectedSha !== undefined };
}

export interface FileDownloadRequest {
  readonly url: string;
  /** Where the verified file is renamed to; the part lives in `<its folder>/.partial/`. */
  readonly finalPath: string;
  /** Expected size; when absent, taken from the server's `Content-Length`. */
  readonly sizeBytes?: number;
  /** What the bytes must be (a hash): a part left for another URL or identity is started over, not resumed. */
  readonly identity: string;
  /** Checks the complete part; throws a `DownloadError` to reject it (the part is then deleted). */
  verify(part: string): Promise<void>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Dropped connections resumed automatically before giving up. Default 5. */
  readonly retries?: number;
  /** Free bytes in the target folder (tests simulate a full disk). Default: `statfs`. */
  readonly freeBytes?: (dir: string) => Promise<number | undefined>;
  readonly log?: (line: string) => void;
}

/**
 * The resumable, verified download behind `downloadModel` (and the GPU packages): free-disk check, `Range` resume
 * of a part left by a cancel or a dropped connection, size check, the caller's `verify`, then an atomic rename.
 */
export async function downloadFile(request: FileDownloadRequest): Promise<{ path: string; sizeBytes: number; resumedFrom: readonly number[] }> {
  const { finalPath, signal } = request;
  const dir = path.dirname(finalPath);
  const log = request.log ?? (() => undefined);
  const { part, meta } = partialPaths(dir, path.basename(finalPath));
  await mkdir(path.dirname(part), { recursive: true });

  let expectedSize = request.sizeBytes;
  // A part left by another URL or another expected file is useless: start over.
  const previous = await readMeta(meta);
  if (!previous || previous.url !== request.url || previous.identity !== request.identity || previous.sizeBytes !== expectedSize) {
    await rm(part, { force: true });
  }
  await writeFile(meta, JSON.stringify({ url: request.url, sizeBytes: expectedSize, identity: request.identity } satisfies PartMeta));

  const have0 = await sizeOf(part);
  if (expectedSize !== undefined) {
    const free = await (request.freeBytes ?? diskFree)(dir);
    const needed = expectedSize - have0;
    if (free !== undefined && free < needed + 64 * 1024 * 1024) {
      throw new DownloadError("diskFull", `not enough free disk space: ${needed} bytes needed, ${free} free`);
    }
  }

  const meter = new ProgressMeter();
  const resumedFrom: number[] = [];
  const retries = request.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    const have = await sizeOf(part);
    if (have > 0) resumedFrom.push(have);
    try {
      const done = await transfer(request.url, part, have, expectedSize, meter, request, (total) => (expectedSize ??= total));
      if (done) break;
    } catch (error) {
      if (signal?.aborted) throw new DownloadError("cancelled", "the download was cancelled");
      if (error instanceof DownloadError && error.code !== "network") {
        if (error.code === "diskFull" || error.code === "sizeMismatch") await removePart(part, meta);
        throw error;
      }
      if (attempt >= retries) throw error instanceof DownloadError ? error : new DownloadError("network", String(error));
      log(`Download interrupted (${error instanceof Error ? error.message : String(error)}); resuming (try ${attempt + 2}).`);
      await delay(Math.min(5_000, 250 * 2 ** attempt), signal);
    }
  }

  const size = await sizeOf(part);
  if (expectedSize !== undefined && size !== expectedSize) {
    await removePart(part, meta);
    throw new DownloadError("sizeMismatch", `the download has ${size} bytes, expected ${expectedSize}`);
  }
  try {
    await request.verify(part);
  } catch (error) {
    // A cancel during the check keeps the complete part for the next try; a failed check deletes it.
    if (!signal?.aborted) await removePart(part, meta);
    throw signal?.aborted ? new DownloadError("cancelled", "the download was cancelled") : error;
  }
  await rename(part, finalPath);
  await rm(meta, { force: true });
  return { path: finalPath, sizeBytes: size, resumedFrom };
}

/** One request; resolves true when the file is complete, false when the server ended early (resume). */
async function transfer(
  url: string,
  part: string,
  have: number,
  expected: number | undefined,
  meter: ProgressMeter,
  request: Pick<FileDownloadRequest, "signal" | "onProgress">,
  learnTotal: (total: number) => void,
): Promise<boolean> {
  const range = rangeHeader(have);
  const response = await get(url, { ...(range ? { Range: range } : {}), "Accept-Encoding": "identity" }, request.signal);
  const contentLength = Number(response.headers["content-length"]);
  const decision = decideReply(have, expected, {
    status: response.statusCode ?? 0,
    contentRange: response.headers["content-range"],
    ...(Number.isSafeInteger(contentLength) ? { contentLength } : {}),
  });
  if (decision.action === "complete") {
    response.resume();
    return true;
  }
  if (decision.action === "fail") {
    response.resume();
    throw new DownloadError(decision.retry ? "network" : decision.reason.startsWith("HTTP") ? "http" : "sizeMismatch", decision.reason);
  }
  if (decision.total !== undefined) learnTotal(decision.total);
  const total = expected ?? decision.total;
  let received = decision.action === "append" ? have : 0;
  const out = createWriteStream(part, { flags: decision.action === "append" ? "a" : "w" });
  return new Promise<boolean>((resolve, reject) => {
    let failed = false;
    const onAbort = () => fail(new DownloadError("cancelled", "cancelled"));
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      request.signal?.removeEventListener("abort", onAbort);
      response.destroy();
      out.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    response.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (total !== undefined && received > total) return fail(new DownloadError("sizeMismatch", `the server sent more than the ${total} bytes it announced`));
      const speed = meter.sample(Date.now(), received);
      request.onProgress?.({ receivedBytes: received, ...(total !== undefined ? { totalBytes: total } : {}), bytesPerSecond: speed, etaSeconds: total !== undefined ? meter.eta(total - received) : undefined });
      if (!out.write(chunk)) {
        response.pause();
        out.once("drain", () => response.resume());
      }
    });
    response.on("error", (e) => fail(new DownloadError("network", e.message)));
    response.on("aborted", () => fail(new DownloadError("network", "the connection was closed")));
    out.on("error", (e: NodeJS.ErrnoException) => fail(e.code === "ENOSPC" ? new DownloadError("diskFull", "the disk is full") : e));
    response.on("end", () => {
      out.end(() => {
        if (failed) return;
        request.signal?.removeEventListener("abort", onAbort);
        if (total === undefined || received === total) resolve(true);
        else fail(new DownloadError("network", `the connection ended after ${received} of ${total} bytes`));
      });
    });
    request.signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** GET (or another method) following redirects; Node's http/https, which the extension host routes through the user's proxy. */
export function get(url: string, headers: Record<string, string>, signal: AbortSignal | undefined, method = "GET", redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === "https:" ? https : http;
    const req = lib.request(target, { method, headers, signal, timeout: IDLE_TIMEOUT_MS }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new DownloadError("http", "too many redirects"));
        const next = new URL(res.headers.location, target).toString();
        get(next, headers, signal, method, redirects + 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.on("timeout", () => req.destroy(new Error("no data for 30 s")));
    req.on("error", (e) => reject(signal?.aborted ? new DownloadError("cancelled", "cancelled") : new DownloadError("network", e.message)));
    req.end();
  });
}

/** Size and hash facts from a HEAD (the first reply's `X-Linked-*` headers, before the CDN redirect). */
async function headFacts(url: string, signal?: AbortSignal): Promise<{ sizeBytes?: number; sha256?: string }> {
  const target = new URL(url);
  const lib = target.protocol === "https:" ? https : http;
  const first = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = lib.request(target, { method: "HEAD", headers: { "Accept-Encoding": "identity" }, signal, timeout: IDLE_TIMEOUT_MS }, resolve);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
  first.resume();
  const headers = first.headers as Record<string, string | undefined>;
  const facts = hfHeadFacts(headers);
  // Without X-Linked-Size, Content-Length of a redirect is the redirect's body, not the file.
  if ((first.statusCode ?? 0) >= 300 && !headers["x-linked-size"]) return facts.sha256 ? { sha256: facts.sha256 } : {};
  return facts;
}

/** A file's digest, read in 1 MiB chunks (a multi-GB model never sits in memory). */
export async function hashFile(file: string, algorithm: string, encoding: "hex" | "base64", signal?: AbortSignal): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest(encoding);
}

async function readMeta(file: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as PartMeta;
  } catch {
    return undefined;
  }
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => undefined))?.size ?? 0;
}

export async function diskFree(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

async function removePart(part: string, meta: string): Promise<void> {
  await rm(part, { force: true });
  await rm(meta, { force: true });
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DownloadError("cancelled", "cancelled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
