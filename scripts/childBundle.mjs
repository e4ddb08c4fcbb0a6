// The inference child's bundle (dist/inference/child.mjs), defined once: scripts/build.mjs builds it with the other
// bundles, and the engine tests and benchmarks rebuild it on demand (test/engine/childBuild.ts) so they never run a
// stale child.

import { openSync, readSync, closeSync } from "node:fs";
import { Buffer } from "node:buffer";
import path from "node:path";

/**
 * The llama.cpp commit node-llama-cpp was built from, read from the header of its source bundle
 * (`llama/gitRelease.bundle`: "# v2 git bundle\n<sha> HEAD"). The bundle stays out of the packaged extension, so
 * the commit is written into the child at build time. Null when the bundle is not installed.
 * @returns {string | null}
 */
export function llamaCppCommit() {
  try {
    const fd = openSync(path.resolve(import.meta.dirname, "../node_modules/node-llama-cpp/llama/gitRelease.bundle"), "r");
    const header = Buffer.alloc(512);
    const bytes = readSync(fd, header, 0, header.length, 0);
    closeSync(fd);
    const match = /^# v\d git bundle\n([0-9a-f]{40}) /.exec(header.toString("latin1", 0, bytes));
    return match ? match[1].slice(0, 12) : null;
  } catch {
    return null;
  }
}

/** @returns {import("esbuild").BuildOptions} what makes the child bundle what it is (not logging or minifying). */
export function childBundleOptions() {
  return {
    define: { __LLAMA_CPP_COMMIT__: JSON.stringify(llamaCppCommit()) },
    // The resolve hook is its own file: `module.register` loads it on Node's loader thread (GPU packages on demand).
    entryPoints: { "inference/child": "src/inference/child.ts", "inference/binaryResolveHook": "src/inference/binaryResolveHook.ts" },
    outdir: "dist",
    outExtension: { ".js": ".mjs" },
    platform: "node",
    target: "node20",
    format: "esm",
    // ESM-only with top-level await and native binaries: resolved at run time from node_modules.
    external: ["node-llama-cpp", "@node-llama-cpp/*"],
    // Bundled CommonJS dependencies (vscode-jsonrpc) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __pcCreateRequire } from 'node:module'; const require = __pcCreateRequire(import.meta.url);" },
  };
}
