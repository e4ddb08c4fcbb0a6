/**
 * Builds llama.cpp's own tools (llama-server, llama-bench, llama-quantize) from the llama.cpp source that ships inside
 * node-llama-cpp (`llama/gitRelease.bundle`, a git bundle of the full tree), offline, with Debian `cmake` and `g++`.
 * The binaries are cached outside the clone, keyed by the llama.cpp commit and the CPU architecture, so a machine pays
 * the build (about 16 minutes on 2 cores) once:
 *
 *   ${PRIVATE_CODER_CACHE:-~/.cache/private-coder}/llama.cpp-<commit12>-<arch>/bin/<tool>
 *
 *   node --import tsx scripts/llama-tools.ts [--print-dir]     (npm run llama-tools)
 *
 * Used by the remote-backend tests (a real llama-server), the engine benchmark's native column (llama-bench) and the
 * quantize benchmark. A build that fails or is interrupted leaves no `bin/` folder: the cache is filled by renaming a
 * finished build into place, under a lock file so two runs never build at once.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withoutAmxCmakeOptions } from "../src/inference/tools/engineBuild.ts";
import { llamaToolsCacheRoot, llamaToolsFolderName } from "../src/inference/tools/quantize.ts";

export const LLAMA_TOOLS = ["llama-server", "llama-bench", "llama-quantize"] as const;
export type LlamaTool = (typeof LLAMA_TOOLS)[number];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bundle = path.join(repoRoot, "node_modules/node-llama-cpp/llama/gitRelease.bundle");

/** The llama.cpp commit of the bundled source (the bundle's HEAD). */
export function bundledLlamaCommit(): string {
  const out = execFileSync("git", ["ls-remote", bundle, "HEAD"], { encoding: "utf8" });
  const commit = out.trim().split(/\s+/)[0];
  if (!commit || !/^[0-9a-f]{40}$/.test(commit)) throw new Error(`could not read the llama.cpp commit from ${bundle}`);
  return commit;
}

export function llamaToolsDir(commit = bundledLlamaCommit()): string {
  return path.join(llamaToolsCacheRoot(), llamaToolsFolderName(commit));
}

/** The cached tool's path, or undefined when it has not been built on this machine yet. */
export function cachedLlamaTool(tool: LlamaTool): string | undefined {
  const file = path.join(llamaToolsDir(), "bin", tool);
  return existsSync(file) ? file : undefined;
}

function run(command: string, args: readonly string[], cwd?: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${String(result.status ?? result.signal)})`);
}

/** Builds the tools unless cached; returns the folder holding `bin/`. */
export function ensureLlamaTools(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const commit = bundledLlamaCommit();
  const dir = llamaToolsDir(commit);
  const bin = path.join(dir, "bin");
  if (LLAMA_TOOLS.every((tool) => existsSync(path.join(bin, tool)))) return dir;
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "build.lock");
  const staleAfterMs = 3 * 60 * 60_000;
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > staleAfterMs) unlinkSync(lock);
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch {
    throw new Error(`another build of llama.cpp ${commit.slice(0, 12)} is running (lock ${lock}); wait for it or remove the lock`);
  }
  const work = path.join(dir, `work-${process.pid}`);
  try {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    log(`[llama-tools] cloning the bundled llama.cpp ${commit.slice(0, 12)} into ${work}`);
    run("git", ["clone", "--quiet", bundle, path.join(work, "llama.cpp")]);
    run("git", ["-C", path.join(work, "llama.cpp"), "checkout", "--quiet", commit]);
    const jobs = String(Math.max(1, os.availableParallelism()));
    log(`[llama-tools] configuring (Release, native CPU flags, static, no UI download)`);
    run("cmake", [
      "-S", path.join(work, "llama.cpp"), "-B", path.join(work, "build"),
      "-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DGGML_NATIVE=ON",
      ...Object.entries(withoutAmxCmakeOptions()).map(([key, value]) => `-D${key}=${value}`),
      "-DLLAMA_CURL=OFF", "-DLLAMA_OPENSSL=OFF", "-DLLAMA_USE_PREBUILT_UI=OFF", "-DLLAMA_BUILD_UI=OFF",
      "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TOOLS=ON", "-DLLAMA_BUILD_SERVER=ON",
    ]);
    log(`[llama-tools] building ${LLAMA_TOOLS.join(", ")} with ${jobs} jobs (about 16 minutes on 2 cores)`);
    run("cmake", ["--build", path.join(work, "build"), "--config", "Release", "-j", jobs, "--target", ...LLAMA_TOOLS]);
    const staged = path.join(work, "bin");
    mkdirSync(staged);
    for (const tool of LLAMA_TOOLS) {
      const built = path.join(work, "build", "bin", tool);
      if (!existsSync(built)) throw new Error(`the build finished without ${tool}`);
      renameSync(built, path.join(staged, tool));
    }
    writeFileSync(path.join(staged, "BUILD_INFO.json"), JSON.stringify({ commit, arch: process.arch, builtAt: new Date().toISOString(), cpu: os.cpus()[0]?.model ?? "unknown" }, null, 2));
    rmSync(bin, { recursive: true, force: true });
    renameSync(staged, bin);
    log(`[llama-tools] ready in ${bin}`);
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = ensureLlamaTools();
    if (process.argv.includes("--print-dir")) process.stdout.write(`${dir}\n`);
    else process.stdout.write(`${readFileSync(path.join(dir, "bin", "BUILD_INFO.json"), "utf8")}\n`);
  } catch (error) {
    process.stderr.write(`✘ ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
