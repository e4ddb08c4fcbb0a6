// One esbuild script, three bundles (and the integration-test files):
//  - dist/extension.cjs        extension host, CommonJS, `vscode` external
//  - dist/inference/child.mjs  inference child, ESM; node-llama-cpp stays external (ESM-only, top-level await,
//                              native binaries resolved at run time from node_modules)
//  - dist/webview/*.js         browser code of the webviews (IIFE)
//  - out/test/integration/*.cjs  mocha suites that run inside a real VS Code extension host
// `--watch` rebuilds on change; `--production` minifies and drops source maps.
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { childBundleOptions } from "./childBundle.mjs";

const root = path.resolve(import.meta.dirname, "..");
const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const common = {
  bundle: true,
  sourcemap: production ? false : "linked",
  minify: production,
  logLevel: "info",
  absWorkingDir: root,
  legalComments: "none",
};

const integrationTests = readdirSync(path.join(root, "test/integration"))
  .filter((f) => f === "index.ts" || f.endsWith(".test.ts"))
  .map((f) => `test/integration/${f}`);

/** @type {import("esbuild").BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { extension: "src/extension/extension.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode"],
  },
  { ...common, ...childBundleOptions() },
  {
    ...common,
    entryPoints: { "webview/chat": "src/webview/chat/main.ts", "webview/statistics": "src/webview/statistics/main.ts" },
    outdir: "dist",
    platform: "browser",
    target: "es2022",
    format: "iife",
    loader: { ".ttf": "file" },
    // Fonts the webview CSS imports (codicons) go beside it, inside the view's localResourceRoots.
    assetNames: "webview/[name]-[hash]",
  },
  {
    // Each suite is its own bundle; mocha and `vscode` are resolved at run time inside the extension host.
    ...common,
    entryPoints: integrationTests,
    outdir: "out/test/integration",
    outExtension: { ".js": ".cjs" },
    platform: "node",
    target: "node20",
    format: "cjs",
    external: ["vscode", "mocha", "node-llama-cpp"],
  },
];

if (!watch) rmSync(path.join(root, "dist"), { recursive: true, force: true });
rmSync(path.join(root, "out"), { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log("[watch] watching for changes; Ctrl+C to stop");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
