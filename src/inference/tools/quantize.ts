/**
 * Runs llama.cpp's `llama-quantize` (built from the llama.cpp source inside node-llama-cpp by scripts/llama-tools.ts
 * and cached outside the clone, or a path the user set). The output is written to a `.partial` file next to the
 * target and renamed when complete, so a cancel or a failure never leaves a half file under the final name; the
 * partial file is removed either way.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseQuantizeProgress, type QuantType } from "../../core/quantize.ts";
import { outputLines } from "./outputLines.ts";

/** How the llama.cpp tools are built: a change builds them afresh on every machine. r2: no AMX kernels (engineBuild.ts). */
const LLAMA_TOOLS_RECIPE = "r2";

/** The cache folder of the tools built from llama.cpp `commit` for this architecture and recipe. */
export function llamaToolsFolderName(commit: string): string {
  return `llama.cpp-${commit.slice(0, 12)}-${process.arch}-${LLAMA_TOOLS_RECIPE}`;
}

/** Where scripts/llama-tools.ts caches its builds: `<root>/llama.cpp-<commit12>-<arch>-<recipe>/bin/<tool>`. */
export function llamaToolsCacheRoot(): string {
  return process.env.PRIVATE_CODER_CACHE ?? path.join(os.homedir(), ".cache/private-coder");
}

/**
 * The `llama-quantize` to use: the user's path when set (and present), else the cached build for this llama.cpp
 * commit, else any cached build for this architecture. Undefined when there is none.
 */
export function findLlamaQuantize(userPath: string | undefined, commit: string | null, cacheRoot = llamaToolsCacheRoot()): string | undefined {
  if (userPath) return existsSync(userPath) ? userPath : undefined;
  const exe = process.platform === "win32" ? "llama-quantize.exe" : "llama-quantize";
  let folders: string[];
  try {
    folders = readdirSync(cacheRoot).filter((name) => name.startsWith("llama.cpp-") && name.endsWith(`-${process.arch}-${LLAMA_TOOLS_RECIPE}`));
  } catch {
    return undefined;
  }
  const preferred = commit ? folders.filter((f) => f === llamaToolsFolderName(commit)) : [];
  for (const folder of [...preferred, ...folders.sort().reverse()]) {
    const file = path.join(cacheRoot, folder, "bin", exe);
    if (existsSync(file)) return file;
  }
  return undefined;
}

export interface QuantizeOptions {
  readonly tool: string;
  readonly input: string;
  readonly output: string;
  readonly type: QuantType;
  /** Default: the cores available. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Tensors done of total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface QuantizeResult {
  readonly output: string;
  readonly bytes: number;
  readonly ms: number;
}

export class QuantizeError extends Error {
  constructor(
    message: string,
    readonly code: "cancelled" | "failed" | "exists",
  ) {
    super(message);
    this.name = "QuantizeError";
  }
}

export async function quantizeModel(options: QuantizeOptions): Promise<QuantizeResult> {
  const started = performance.now();
  if (existsSync(options.output)) throw new QuantizeError(`${path.basename(options.output)} exists already`, "exists");
  const partial = `${options.output}.partial`;
  const threads = String(options.threads ?? Math.max(1, os.availableParallelism()));
  // --allow-requantize: a Q8_0 source is accepted (the article's Q8_0 → Q4_K_M path).
  const args = ["--allow-requantize", options.input, partial, options.type, threads];
  try {
    await new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) return reject(new QuantizeError("cancelled", "cancelled"));
      const child = spawn(options.tool, args, { stdio: ["ignore", "pipe", "pipe"] });
      const tail: string[] = [];
      const onData = outputLines((line) => {
        const progress = parseQuantizeProgress(line);
        if (progress) options.onProgress?.(progress.done, progress.total);
        else if (line.trim()) tail.push(line.trim());
        if (tail.length > 8) tail.shift();
      });
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      const onAbort = (): void => void child.kill("SIGKILL");
      options.signal?.addEventListener("abort", onAbort, { once: true });
      child.on("error", (error) => reject(new QuantizeError(`could not start llama-quantize: ${error.message}`, "failed")));
      child.on("close", (code, signal) => {
        options.signal?.removeEventListener("abort", onAbort);
        if (options.signal?.aborted) reject(new QuantizeError("cancelled", "cancelled"));
        else if (code === 0) resolve();
        else reject(new QuantizeError(`llama-quantize failed (${code ?? signal}): ${tail.slice(-3).join(" | ")}`, "failed"));
      });
    });
    await rename(partial, options.output);
    return { output: options.output, bytes: (await stat(options.output)).size, ms: Math.round(performance.now() - started) };
  } finally {
    await rm(partial, { force: true });
  }
}
