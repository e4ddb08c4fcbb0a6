/**
 * "Optimize the engine for this CPU": builds node-llama-cpp's own native addon (`llama-addon.node`) from the llama.cpp
 * source that ships inside node-llama-cpp (`llama/gitRelease.bundle` and its `llama/` CMake project), offline, with
 * this CPU's instruction set (`GGML_NATIVE=ON`) and OpenMP — the two things the prebuilt binary lacks (it is built for
 * every x64 CPU, with its CPU variants loaded at run time and its own thread pool).
 *
 * Why not `node-llama-cpp source build` / `getLlama({build: "forceRebuild"})`: both clone into and build inside
 * node-llama-cpp's own folder (`node_modules/node-llama-cpp/llama/localBuilds`), which is the installed extension's
 * folder (replaced on every update) and may be read-only; and they run cmake-js through `npm run`, which a user's VS
 * Code host has no reason to have. We run the same CMake project with plain `cmake` in a work folder instead, statically
 * linked (one self-contained `.node` file), and cache the result outside the extension, keyed by node-llama-cpp's
 * version, the llama.cpp commit, the architecture and this CPU (model and feature flags):
 *
 *   <cacheRoot>/engine-builds/nlc-<version>-<commit12>-<arch>-<cpu8>/llama-addon.node  (+ BUILD_INFO.json)
 *
 * The Node-API headers come from the `node-api-headers` package node-llama-cpp depends on (what cmake-js itself uses
 * for a Node-API project, so nothing is downloaded), else from the running Node's own `include/node` (Debian's
 * /usr/include/node). A failure or a cancel leaves no folder under the final name: the build is staged and renamed.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { outputLines } from "./outputLines.ts";

export const ENGINE_ADDON_FILE = "llama-addon.node";
export const ENGINE_BUILD_INFO_FILE = "BUILD_INFO.json";

export type EngineBuildPhase = "clone" | "configure" | "compile" | "finish";

export class EngineBuildError extends Error {
  constructor(
    message: string,
    /** `tools`: cmake, a C++ compiler or git is missing; `source`: node-llama-cpp's source bundle is not installed. */
    readonly code: "tools" | "source" | "busy" | "cancelled" | "failed",
  ) {
    super(message);
    this.name = "EngineBuildError";
  }
}

export interface EngineBuildInfo {
  readonly nodeLlamaCpp: string;
  readonly llamaCppCommit: string;
  readonly arch: string;
  readonly cpu: string;
  readonly cpuKey: string;
  readonly cmakeOptions: Record<string, string>;
  readonly builtAt: string;
  readonly buildMs: number;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** This CPU, as far as the compiler's `-march=native` cares: its model and its feature flags (Linux), hashed. */
export function cpuIdentity(): { description: string; key: string } {
  const model = os.cpus()[0]?.model ?? "unknown-cpu";
  let flags = "";
  if (process.platform === "linux") {
    try {
      const info = readFileSync("/proc/cpuinfo", "utf8");
      flags = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(info)?.[1] ?? "";
    } catch {
      // no /proc: the model name alone
    }
  }
  const key = createHash("sha256").update([process.arch, model, flags].join("\u0000")).digest("hex").slice(0, 8);
  return { description: model, key };
}

/** The llama.cpp commit inside the bundle (its header names the HEAD ref's commit); null when there is no bundle. */
export function bundledCommit(nlcDir: string): string | null {
  const bundle = path.join(nlcDir, "llama", "gitRelease.bundle");
  if (!existsSync(bundle)) return null;
  const fd = openSync(bundle, "r");
  try {
    const head = Buffer.alloc(4096);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^([0-9a-f]{40}) /m.exec(head.subarray(0, n).toString("latin1"))?.[1] ?? null;
  } finally {
    closeSync(fd);
  }
}

/** The cache folder of this node-llama-cpp, llama.cpp commit, architecture and CPU. */
export function engineBuildDir(cacheRoot: string, nlcDir: string): string {
  const version = readJson<{ version: string }>(path.join(nlcDir, "package.json")).version;
  const commit = bundledCommit(nlcDir) ?? "nobundle";
  return path.join(cacheRoot, "engine-builds", `nlc-${version}-${commit.slice(0, 12)}-${process.arch}-${cpuIdentity().key}-${ENGINE_BUILD_RECIPE}`);
}

/**
 * The version of how the build is made (the cmake options below): a change makes every machine build afresh rather
 * than reuse an addon made the old way. r2: no AMX kernels.
 */
const ENGINE_BUILD_RECIPE = "r2";

/**
 * CMake options whose preprocessor flags leave llama.cpp's AMX kernels out of a native build. `-march=native` turns them on for a
 * CPU that reports AMX (Sapphire Rapids and later), and ggml then keeps Q4/Q8 weights in AMX tiles for batched
 * matrix products. Where the CPU reports AMX but the system does not run it, the first tile instruction kills the
 * process (measured here, a Xeon with AMX in a Firecracker VM: the engine died with SIGILL at the first Q8_0 prompt,
 * and llama-bench of the same source with a segfault at pp512). ggml compiles its AMX code only when the compiler's
 * `__AMX_*__` macros are defined, so undefining them (after `-march=native` defined them) removes that code and
 * keeps every other instruction set of the CPU. Also used for the llama.cpp tools (scripts/llama-tools.ts).
 */
export function withoutAmxCmakeOptions(): Record<string, string> {
  // Left as it was on Windows: the crash was seen on Linux, where the kernel must grant AMX to a process (ggml asks
  // with arch_prctl); ggml's Windows path asks nothing, and no Windows machine here could show either way.
  if (process.platform === "win32") return {};
  const flags = "-U__AMX_TILE__ -U__AMX_INT8__ -U__AMX_BF16__ -U__AMX_FP16__ -U__AMX_COMPLEX__";
  return { CMAKE_C_FLAGS: flags, CMAKE_CXX_FLAGS: flags };
}

/** The finished build in `dir`, or undefined when there is none (never a half one: those are staged elsewhere). */
export function cachedEngineBuild(dir: string): { addon: string; info: EngineBuildInfo } | undefined {
  const addon = path.join(dir, ENGINE_ADDON_FILE);
  const infoFile = path.join(dir, ENGINE_BUILD_INFO_FILE);
  if (!existsSync(addon) || !existsSync(infoFile)) return undefined;
  try {
    return { addon, info: readJson<EngineBuildInfo>(infoFile) };
  } catch {
    return undefined;
  }
}

function onPath(command: string): boolean {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const names = process.platform === "win32" ? [`${command}.exe`, `${command}.cmd`] : [command];
  return dirs.some((dir) => names.some((name) => existsSync(path.join(dir, name))));
}

/** What the build needs that is missing from PATH (cmake, a C++ compiler, git); empty when it can run. */
export function missingBuildTools(): string[] {
  const missing: string[] = [];
  if (!onPath("cmake")) missing.push("cmake");
  if (!["c++", "g++", "clang++", "cl"].some(onPath)) missing.push("a C++ compiler (g++ or clang++)");
  if (!onPath("git")) missing.push("git");
  return missing;
}

/** Node-API headers for the addon: node-llama-cpp's `node-api-headers` dependency, else this Node's `include/node`. */
function nodeApiIncludeDirs(nlcDir: string): string[] {
  const require = createRequire(path.join(nlcDir, "package.json"));
  const dirs: string[] = [];
  try {
    dirs.push((require("node-api-headers") as { include_dir: string }).include_dir);
  } catch {
    const own = path.resolve(path.dirname(process.execPath), "..", "include", "node");
    if (existsSync(path.join(own, "node_api.h"))) dirs.push(own);
  }
  try {
    // Its `include_dir` is relative to the current directory: use the package folder itself (napi.h is at its top).
    dirs.push(path.dirname(require.resolve("node-addon-api/package.json")));
  } catch {
    // reported below: the addon cannot compile without it
  }
  return dirs;
}

export interface EngineBuildOptions {
  /** Where builds are cached (`<cacheRoot>/engine-builds/…`). */
  readonly cacheRoot: string;
  /** node-llama-cpp's folder (`tools/nodeLlamaCppDir.ts` in ESM code; the host passes the extension's). */
  readonly nodeLlamaCppDir: string;
  /** Parallel compile jobs; default the cores available. */
  readonly jobs?: number;
  readonly signal?: AbortSignal;
  /** Phase and percent done (0–100) of the whole build. */
  readonly onProgress?: (phase: EngineBuildPhase, percent: number) => void;
  /** Build output lines, for the log (no user data passes through a build). */
  readonly onLine?: (line: string) => void;
  /** Extra CMake definitions (tests use them to make a build fail). */
  readonly extraCmakeOptions?: Record<string, string>;
}

/** The CMake definitions of our build (besides the paths). */
export function engineCmakeOptions(): Record<string, string> {
  const platform = process.platform === "win32" ? "win" : process.platform === "darwin" ? "mac" : process.platform;
  return {
    CMAKE_BUILD_TYPE: "Release",
    // This CPU's instruction set, one CPU backend compiled in (no run-time variant loading) and OpenMP threads.
    GGML_NATIVE: "ON",
    GGML_OPENMP: "ON",
    ...withoutAmxCmakeOptions(),
    GGML_BACKEND_DL: "OFF",
    GGML_CPU_ALL_VARIANTS: "OFF",
    // One self-contained .node file (position-independent static libraries), nothing to find at load time.
    BUILD_SHARED_LIBS: "OFF",
    GGML_METAL: "OFF",
    GGML_CCACHE: "OFF",
    GGML_BUILD_NUMBER: "1",
    LLAMA_CURL: "OFF",
    LLAMA_HTTPLIB: "OFF",
    LLAMA_OPENSSL: "OFF",
    LLAMA_BUILD_BORINGSSL: "OFF",
    NLC_CURRENT_PLATFORM: `${platform}-${process.arch}`,
    NLC_TARGET_PLATFORM: `${platform}-${process.arch}`,
    NLC_VARIANT: "native",
  };
}

/**
 * Builds (or returns the cached) addon for this CPU. Throws `EngineBuildError`; never leaves a partial build under the
 * final name, and removes its work folder whatever happens.
 */
export async function buildEngine(options: EngineBuildOptions): Promise<{ addon: string; info: EngineBuildInfo; cached: boolean }> {
  const nlcDir = options.nodeLlamaCppDir;
  const dir = engineBuildDir(options.cacheRoot, nlcDir);
  const cached = cachedEngineBuild(dir);
  if (cached && !options.extraCmakeOptions) return { ...cached, cached: true };
  const missing = missingBuildTools();
  if (missing.length > 0) throw new EngineBuildError(`missing on PATH: ${missing.join(", ")}`, "tools");
  const bundle = path.join(nlcDir, "llama", "gitRelease.bundle");
  const commit = bundledCommit(nlcDir);
  if (!commit) throw new EngineBuildError(`node-llama-cpp's llama.cpp source (${bundle}) is not installed with this copy`, "source");
  const includes = nodeApiIncludeDirs(nlcDir);
  if (includes.length < 2) throw new EngineBuildError("the Node-API headers (node-api-headers, node-addon-api) were not found next to node-llama-cpp", "source");

  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "build.lock");
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 3 * 3600_000) unlinkSync(lock);
  let fd: number;
  try {
    fd = openSync(lock, "wx");
  } catch {
    throw new EngineBuildError(`another build for this CPU is running (lock ${lock})`, "busy");
  }
  const work = path.join(dir, `work-${process.pid}-${Date.now()}`);
  const started = performance.now();
  const progress = options.onProgress ?? (() => undefined);
  try {
    const source = path.join(work, "src");
    progress("clone", 0);
    // node-llama-cpp's CMake project (addon sources, cmake helpers) next to a clone of the bundled llama.cpp.
    mkdirSync(source, { recursive: true });
    for (const entry of readdirSync(path.join(nlcDir, "llama"))) {
      if (["CMakeLists.txt", "addon", "cmake", "profiles", "package.json"].includes(entry)) {
        cpSync(path.join(nlcDir, "llama", entry), path.join(source, entry), { recursive: true });
      }
    }
    await run("git", ["clone", "--quiet", "--no-checkout", bundle, path.join(source, "llama.cpp")], options);
    await run("git", ["-C", path.join(source, "llama.cpp"), "checkout", "--quiet", commit], options);
    await applyPatches(nlcDir, path.join(source, "llama.cpp"), options);
    progress("configure", 5);
    const cmakeOptions = { ...engineCmakeOptions(), ...options.extraCmakeOptions };
    await run(
      "cmake",
      ["-S", source, "-B", path.join(work, "build"), `-DCMAKE_JS_INC=${includes.join(";")}`, ...Object.entries(cmakeOptions).map(([k, v]) => `-D${k}=${v}`)],
      options,
    );
    progress("compile", 10);
    const jobs = String(options.jobs ?? Math.max(1, os.availableParallelism()));
    await run("cmake", ["--build", path.join(work, "build"), "--config", "Release", "-j", jobs, "--target", "llama-addon"], options, (line) => {
      // Makefile and Ninja generators print "[ 42%]" / "[12/345]" before each step.
      const percent = /^\[\s*(\d+)%\]/.exec(line)?.[1];
      const ninja = /^\[(\d+)\/(\d+)\]/.exec(line);
      const done = percent != null ? Number(percent) : ninja ? (Number(ninja[1]) / Number(ninja[2])) * 100 : null;
      if (done != null) progress("compile", 10 + Math.round(done * 0.88));
    });
    progress("finish", 98);
    const built = findFile(path.join(work, "build"), ENGINE_ADDON_FILE);
    if (!built) throw new EngineBuildError(`the build finished without ${ENGINE_ADDON_FILE}`, "failed");
    const staged = path.join(work, "out");
    mkdirSync(staged);
    renameSync(built, path.join(staged, ENGINE_ADDON_FILE));
    const cpu = cpuIdentity();
    const info: EngineBuildInfo = {
      nodeLlamaCpp: readJson<{ version: string }>(path.join(nlcDir, "package.json")).version,
      llamaCppCommit: commit,
      arch: process.arch,
      cpu: cpu.description,
      cpuKey: cpu.key,
      cmakeOptions,
      builtAt: new Date().toISOString(),
      buildMs: Math.round(performance.now() - started),
    };
    writeFileSync(path.join(staged, ENGINE_BUILD_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
    // Replace the files of a previous build (a rebuild), then the info file last: a reader sees a whole build or none.
    rmSync(path.join(dir, ENGINE_BUILD_INFO_FILE), { force: true });
    renameSync(path.join(staged, ENGINE_ADDON_FILE), path.join(dir, ENGINE_ADDON_FILE));
    renameSync(path.join(staged, ENGINE_BUILD_INFO_FILE), path.join(dir, ENGINE_BUILD_INFO_FILE));
    progress("finish", 100);
    return { addon: path.join(dir, ENGINE_ADDON_FILE), info, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return full;
    if (entry.isDirectory() && entry.name !== "CMakeFiles") {
      const found = findFile(full, name);
      if (found) return found;
    }
  }
  return undefined;
}

/** node-llama-cpp's own patches to llama.cpp (it applies them to its clones too); one that does not apply is skipped. */
async function applyPatches(nlcDir: string, repo: string, options: EngineBuildOptions): Promise<void> {
  const dir = path.join(nlcDir, "llama", "patches");
  if (!existsSync(dir)) return;
  for (const patch of readdirSync(dir).filter((f) => f.endsWith(".diff") || f.endsWith(".patch"))) {
    try {
      await run("git", ["-C", repo, "apply", "--check", path.join(dir, patch)], { ...options, onLine: undefined });
    } catch {
      options.onLine?.(`[engine-build] patch ${patch} does not apply to this commit (already merged): skipped`);
      continue;
    }
    await run("git", ["-C", repo, "apply", path.join(dir, patch)], options);
  }
}

/** Runs a build step; the abort signal kills it (and its compilers: they are in its process group). */
function run(command: string, args: readonly string[], options: EngineBuildOptions, onLine?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new EngineBuildError("cancelled", "cancelled"));
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], detached: process.platform !== "win32" });
    const tail: string[] = [];
    const onData = outputLines((line) => {
      if (!line.trim()) return;
      tail.push(line.trim());
      if (tail.length > 12) tail.shift();
      onLine?.(line);
      options.onLine?.(line);
    });
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const kill = (): void => {
      try {
        if (child.pid != null && process.platform !== "win32") process.kill(-child.pid, "SIGKILL");
        else child.kill("SIGKILL");
      } catch {
        // already gone
      }
    };
    options.signal?.addEventListener("abort", kill, { once: true });
    child.on("error", (error) => reject(new EngineBuildError(`could not start ${command}: ${error.message}`, "tools")));
    child.on("close", (code, signal) => {
      options.signal?.removeEventListener("abort", kill);
      if (options.signal?.aborted) reject(new EngineBuildError("cancelled", "cancelled"));
      else if (code === 0) resolve();
      else reject(new EngineBuildError(`${command} ${args[0] ?? ""} failed (${code ?? signal}): ${tail.slice(-4).join(" | ")}`, "failed"));
    });
  });
}
