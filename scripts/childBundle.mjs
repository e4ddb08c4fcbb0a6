// The inference child's bundle (dist/inference/child.mjs), defined once: scripts/build.mjs builds it with the other
// bundles, and the engine tests and benchmarks rebuild it on demand (test/engine/childBuild.ts) so they never run a
// stale child.

/** @returns {import("esbuild").BuildOptions} what makes the child bundle what it is (not logging or minifying). */
export function childBundleOptions() {
  return {
    entryPoints: { "inference/child": "src/inference/child.ts" },
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
