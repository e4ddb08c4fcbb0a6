/**
 * The quick look at a model file the host takes before handing it to the engine (Select Model, and every model
 * file a model source discovers): is it a regular file that starts with the GGUF magic? It must never block: a FIFO,
 * a socket or a device named `*.gguf` would hang a plain `open`/`read` and, with it, every file-I/O worker of the
 * extension host. So the type is checked with `stat` first, the file is opened non-blocking and checked again on the
 * open handle (it may have been swapped in between), and the read has a time limit (a dead network mount).
 *
 * No `vscode` import, so unit tests run it on real files.
 */
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";

/** Why a file is not usable as a model, or `ok`. */
export type GgufHeaderCheck = "ok" | "missing" | "notRegularFile" | "empty" | "notGguf" | "unreadable" | "timedOut";

export interface GgufHeaderOptions {
  /** Longest wait for the first bytes. Default 5,000 ms. */
  readonly timeoutMs?: number;
}

const GGUF_MAGIC = "GGUF";

export async function checkGgufHeader(filePath: string, options: GgufHeaderOptions = {}): Promise<GgufHeaderCheck> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return "notRegularFile";
    if (info.size === 0) return "empty";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable";
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timedOut">((resolve) => {
    timer = setTimeout(() => resolve("timedOut"), timeoutMs);
  });
  try {
    return await Promise.race([readMagic(filePath), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

async function readMagic(filePath: string): Promise<GgufHeaderCheck> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait for one forever.
    handle = await open(filePath, constants.O_RDONLY | constants.O_NONBLOCK);
    if (!(await handle.stat()).isFile()) return "notRegularFile";
    const header = Buffer.alloc(GGUF_MAGIC.length);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    if (bytesRead === 0) return "empty";
    return bytesRead === header.length && header.toString("latin1") === GGUF_MAGIC ? "ok" : "notGguf";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : "unreadable";
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
