// `npm run package [-- --target linux-x64]`: a production build, then a per-platform .vsix made by @vscode/vsce.
// node-llama-cpp ships native binaries as one npm package per platform; the .vsix carries only the target's CPU
// package, chosen here by adding one allow line to a copy of .vscodeignore.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");

/** VS Code target → node-llama-cpp prebuilt binary package. */
export const BINARY_PACKAGE_BY_TARGET = {
  "linux-x64": "linux-x64",
  "linux-arm64": "linux-arm64",
  "linux-armhf": "linux-armv7l",
  "darwin-arm64": "mac-arm64-metal",
  "darwin-x64": "mac-x64",
  "win32-x64": "win-x64",
  "win32-arm64": "win-arm64",
};

function currentTarget() {
  const platform = process.platform;
  const arch = process.arch === "arm" ? "armhf" : process.arch;
  return `${platform}-${arch}`;
}

const targetIndex = process.argv.indexOf("--target");
const target = targetIndex > 0 ? process.argv[targetIndex + 1] : currentTarget();
const binaryPackage = BINARY_PACKAGE_BY_TARGET[target];
if (!binaryPackage) {
  console.error(`Unsupported target "${target}". Supported: ${Object.keys(BINARY_PACKAGE_BY_TARGET).join(", ")}`);
  process.exit(2);
}
if (!existsSync(path.join(root, "node_modules/@node-llama-cpp", binaryPackage, "package.json"))) {
  console.error(`node_modules/@node-llama-cpp/${binaryPackage} is not installed; npm installs only the binaries of this machine's platform, so package ${target} on a ${target} machine.`);
  process.exit(2);
}

execFileSync(process.execPath, [path.join(root, "scripts/build.mjs"), "--production"], { cwd: root, stdio: "inherit" });

const { version } = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const out = path.join(root, `private-coder-${version}-${target}.vsix`);
const work = mkdtempSync(path.join(tmpdir(), "private-coder-package-"));
const ignoreFile = path.join(work, ".vscodeignore");
writeFileSync(ignoreFile, `${readFileSync(path.join(root, ".vscodeignore"), "utf8")}\n!node_modules/@node-llama-cpp/${binaryPackage}/**/!(*.map|*.d.ts)\n`);
try {
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/@vscode/vsce/vsce"), "package", "--target", target, "--ignoreFile", ignoreFile, "--readme-path", "README.user.md", "--out", out, "--skip-license"],
    { cwd: root, stdio: "inherit" },
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(JSON.stringify({ vsix: path.relative(root, out), target, binaryPackage: `@node-llama-cpp/${binaryPackage}`, bytes: statSync(out).size, mib: +(statSync(out).size / 2 ** 20).toFixed(1) }));
