/**
 * Which llama.cpp this engine runs. node-llama-cpp's release tag of its prebuilt binaries (`llamaCppRelease`) is
 * not a llama.cpp build number, so the llama.cpp commit is read from the source bundle node-llama-cpp ships
 * (`llama/gitRelease.bundle`, whose text header names the commit); it is absent from trimmed installs, and then only
 * the release tag is known.
 */
import { open } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

/** The llama.cpp commit node-llama-cpp was built from (12 hex digits), or null when the bundle is not installed. */
export async function llamaCppCommit(): Promise<string | null> {
  let handle;
  try {
    const packageJson = createRequire(import.meta.url).resolve("node-llama-cpp/package.json");
    handle = await open(path.join(path.dirname(packageJson), "llama", "gitRelease.bundle"), "r");
    const header = Buffer.alloc(512);
    const { bytesRead } = await handle.read(header, 0, header.length, 0);
    // "# v2 git bundle\n<sha> HEAD\n…"
    const match = /^# v\d git bundle\n([0-9a-f]{40}) /.exec(header.toString("latin1", 0, bytesRead));
    return match ? match[1].slice(0, 12) : null;
  } catch {
    return null;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
