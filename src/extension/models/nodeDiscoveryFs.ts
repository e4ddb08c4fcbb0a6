/**
 * The real file system behind model discovery (no `vscode` import, so unit tests use it on fixture trees). Every
 * candidate goes through `checkGgufHeader`, which never blocks on a FIFO or a dead mount.
 */
import { constants } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { DirEntry, DiscoveryFs } from "../../core/models/discovery.ts";
import { readGgufSummary, type GgufSummary } from "../../core/models/ggufMetadata.ts";
import { checkGgufHeader } from "./ggufHeader.ts";

export function nodeDiscoveryFs(options: { headerTimeoutMs?: number } = {}): DiscoveryFs {
  return {
    platform: process.platform,
    async list(dir: string): Promise<readonly DirEntry[]> {
      let names;
      try {
        names = await readdir(dir, { withFileTypes: true });
      } catch {
        return [];
      }
      return Promise.all(
        names.map(async (d): Promise<DirEntry> => {
          if (d.isFile()) return { name: d.name, kind: "file" };
          if (d.isDirectory()) return { name: d.name, kind: "dir" };
          if (d.isSymbolicLink()) {
            // Links are followed with stat (a hub snapshot links to its blob); a dangling one is "other".
            const target = await stat(path.join(dir, d.name)).catch(() => undefined);
            return { name: d.name, kind: target?.isFile() ? "file" : target?.isDirectory() ? "dir" : "other" };
          }
          return { name: d.name, kind: "other" };
        }),
      );
    },
    async readText(file: string, maxBytes: number): Promise<string | undefined> {
      try {
        const info = await stat(file);
        if (!info.isFile() || info.size > maxBytes) return undefined;
        const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
        try {
          return (await handle.readFile()).toString("utf8");
        } finally {
          await handle.close();
        }
      } catch {
        return undefined;
      }
    },
    checkHeader: (file) => checkGgufHeader(file, { timeoutMs: options.headerTimeoutMs ?? 2_000 }),
    size: async (file) => (await stat(file).catch(() => undefined))?.size,
  };
}

/** Reads a model file's header summary (call after `checkGgufHeader` said ok: the file is a regular file). */
export async function readGgufFileSummary(file: string, timeoutMs = 2_000): Promise<GgufSummary> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  let timer: NodeJS.Timeout | undefined;
  try {
    const read = async (offset: number, length: number) => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    };
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading the header took longer than ${timeoutMs} ms`)), timeoutMs);
    });
    return await Promise.race([readGgufSummary(read), timedOut]);
  } finally {
    clearTimeout(timer);
    await handle.close().catch(() => undefined);
  }
}
