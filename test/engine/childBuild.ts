/**
 * Makes sure dist/inference/child.mjs is built from the current sources, with the bundle options scripts/build.mjs
 * uses (scripts/childBundle.mjs). The engine tests and the benchmark call it, so they never run a stale child.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { childBundleOptions } from "../../scripts/childBundle.mjs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const childPath = path.join(repoRoot, "dist/inference/child.mjs");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export async function ensureChildBuilt(): Promise<string> {
  let built = 0;
  try {
    built = statSync(childPath).mtimeMs;
  } catch {
    // not built yet
  }
  // The child bundles src/core too (e.g. core/gpu for the downloaded binary packages).
  if (built > 0 && built >= Math.max(newestSource(path.join(repoRoot, "src/inference")), newestSource(path.join(repoRoot, "src/core")))) return childPath;
  await esbuild.build({ bundle: true, sourcemap: "linked", logLevel: "warning", absWorkingDir: repoRoot, legalComments: "none", ...childBundleOptions() });
  return childPath;
}
