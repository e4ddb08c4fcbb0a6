// Unpacks the .vsix that `npm run package` built and checks it carries what the installed extension runs and
// nothing else: our bundles, node-llama-cpp with its whole runtime dependency tree, and only this platform's
// binary package. Then loads node-llama-cpp from the unpacked copy to prove the packaged tree works.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
let unpacked = "";
let files: string[] = [];
let vsixPath = "";

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

before(() => {
  const target = `${process.platform}-${process.arch}`;
  const candidates = readdirSync(root).filter((f) => f.endsWith(`-${target}.vsix`));
  assert.ok(candidates.length > 0, `no *-${target}.vsix in the repository root: run \`npm run package\``);
  vsixPath = path.join(root, candidates.sort((a, b) => statSync(path.join(root, b)).mtimeMs - statSync(path.join(root, a)).mtimeMs)[0]);
  unpacked = mkdtempSync(path.join(tmpdir(), "private-coder-vsix-"));
  execFileSync("unzip", ["-q", vsixPath, "-d", unpacked]);
  files = listFiles(path.join(unpacked, "extension"));
  const bytes = statSync(vsixPath).size;
  console.log(JSON.stringify({ vsix: path.basename(vsixPath), bytes, mib: +(bytes / 2 ** 20).toFixed(1), files: files.length }));
});

after(() => {
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

test("contains the manifest, the three bundles and the webview assets", () => {
  // vsce stores README.md as readme.md and LICENSE as LICENSE.txt.
  for (const required of ["package.json", "readme.md", "LICENSE.txt", "dist/extension.cjs", "dist/inference/child.mjs", "dist/inference/binaryResolveHook.mjs", "dist/webview/chat.js", "media/chat.css", "media/activity-bar.svg", "media/walkthrough/model.md"]) {
    assert.ok(files.includes(required), `missing ${required}`);
  }
});

test("ships the user README (install, models, privacy, settings, keys), not the developers' one", () => {
  const readme = readFileSync(path.join(unpacked, "extension", "readme.md"), "utf8");
  for (const heading of ["## Install", "## Choose a model", "## Privacy", "## Settings", "### Keys"]) assert.ok(readme.includes(heading), `missing ${heading}`);
  assert.ok(readme.includes("--install-extension") && readme.includes("Install from VSIX"));
  assert.ok(!readme.includes("npm test") && !readme.includes("## Development"), "the developers' README stays in the repository");
});

test("contains the English texts and the Simplified Chinese translation of the manifest and the runtime strings", () => {
  for (const required of ["package.nls.json", "package.nls.zh-cn.json", "l10n/bundle.l10n.json", "l10n/bundle.l10n.zh-cn.json"]) {
    assert.ok(files.includes(required), `missing ${required}`);
  }
});

test("contains no sources, tests, scripts, source maps or build config", () => {
  const forbidden = files.filter(
    (f) =>
      /^(src|test|scripts|bench|demo|\.ci|out|test-results|\.test-run)\//.test(f) ||
      /^(tsconfig.*\.json|eslint\.config\.mjs|package-lock\.json|\.gitignore|\.vscodeignore)$/.test(f) ||
      f.endsWith(".map") ||
      (!f.startsWith("node_modules/") && f.endsWith(".ts")),
  );
  assert.deepEqual(forbidden, []);
});

test("carries only this platform's node-llama-cpp binary package", () => {
  const binaryPackages = [...new Set(files.filter((f) => f.startsWith("node_modules/@node-llama-cpp/")).map((f) => f.split("/")[2]))];
  const binaryByTarget: Record<string, string> = { "linux-x64": "linux-x64", "linux-arm64": "linux-arm64", "darwin-arm64": "mac-arm64-metal", "darwin-x64": "mac-x64", "win32-x64": "win-x64" };
  const expected = binaryByTarget[`${process.platform}-${process.arch}`];
  assert.deepEqual(binaryPackages, [expected]);
  assert.ok(!files.some((f) => f.endsWith("gitRelease.bundle")), "the llama.cpp source bundle is only for building from source");
});

test("carries node-llama-cpp's whole runtime dependency tree", () => {
  const parseable = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, encoding: "utf8" });
  const runtimePackages = parseable
    .split("\n")
    .map((line) => path.relative(root, line.trim()))
    // TypeScript is node-llama-cpp's optional peer (types only), listed by npm but not needed at run time.
    .filter((rel) => rel.startsWith("node_modules/") && !rel.startsWith("node_modules/@node-llama-cpp/") && rel !== "node_modules/typescript");
  assert.ok(runtimePackages.length > 20, `expected a real dependency tree, got ${runtimePackages.length}`);
  const missing = runtimePackages.filter((pkg) => !files.includes(`${pkg.split(path.sep).join("/")}/package.json`));
  assert.deepEqual(missing, []);
  const devOnly = ["node_modules/typescript/package.json", "node_modules/esbuild/package.json", "node_modules/mocha/package.json", "node_modules/playwright-core/package.json", "node_modules/vscode-jsonrpc/package.json"];
  assert.deepEqual(devOnly.filter((f) => files.includes(f)), [], "build and test tools (and bundled libraries) must not ship");
});

test("node-llama-cpp loads its prebuilt binary from the unpacked extension", () => {
  const extensionDir = path.join(unpacked, "extension");
  assert.ok(existsSync(path.join(extensionDir, "node_modules/node-llama-cpp/package.json")));
  const script = `const { getLlama } = await import(${JSON.stringify(path.join(extensionDir, "node_modules/node-llama-cpp/dist/index.js"))});
const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, progressLogs: false });
console.log(JSON.stringify({ gpu: llama.gpu, buildType: llama.buildType }));
await llama.dispose();`;
  // A file, not `node -e`: node-llama-cpp forks itself to test the binary, and a fork inherits `-e` in execArgv.
  const scriptFile = path.join(extensionDir, "load-check.mjs");
  writeFileSync(scriptFile, script);
  const output = execFileSync(process.execPath, [scriptFile], { cwd: extensionDir, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } });
  const result = JSON.parse(output.trim().split("\n").pop()!) as { gpu: unknown; buildType: string };
  assert.equal(result.gpu, false);
  assert.equal(result.buildType, "prebuilt");
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8")) as { main: string };
  assert.ok(files.includes(manifest.main.replace(/^\.\//, "")));
});
