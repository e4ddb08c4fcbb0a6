/** The usage writer's file access on disk, in one folder of the extension's global storage. */
import { appendFile, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { USAGE_FILE, USAGE_OLD_FILE, type UsageFiles } from "../../core/usage/writer.ts";

export function nodeUsageFiles(dir: string): UsageFiles {
  let made = false;
  const at = (name: string): string => path.join(dir, name);
  return {
    async append(name, text) {
      if (!made) await mkdir(dir, { recursive: true });
      made = true;
      await appendFile(at(name), text, "utf8");
    },
    async size(name) {
      try {
        return (await stat(at(name))).size;
      } catch {
        return 0;
      }
    },
    async rename(from, to) {
      try {
        await rename(at(from), at(to));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    },
    async remove(name) {
      await rm(at(name), { force: true });
    },
  };
}

/** The log's texts, older file first (a missing file is empty). */
export async function readUsageTexts(dir: string): Promise<string[]> {
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(path.join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  return Promise.all([read(USAGE_OLD_FILE), read(USAGE_FILE)]);
}
