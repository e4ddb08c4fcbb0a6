/**
 * The native column of `bench:engine`: llama.cpp's own `llama-bench` (built once from the llama.cpp source inside
 * node-llama-cpp by scripts/llama-tools.ts, cached; never built here) on the same model file and thread count:
 * pp512 and tg128 in tokens/s. Undefined when the tool is not built on this machine.
 */
import { spawnSync } from "node:child_process";
import { cachedLlamaTool } from "../scripts/llama-tools.ts";

export interface NativeSpeeds {
  readonly pp512: number;
  readonly tg128: number;
  readonly tool: string;
}

export function nativeLlamaBench(modelPath: string, threads: number): NativeSpeeds | undefined {
  const tool = cachedLlamaTool("llama-bench");
  if (!tool) return undefined;
  const run = spawnSync(tool, ["-m", modelPath, "-p", "512", "-n", "128", "-t", String(threads), "-r", "2", "-o", "json"], { encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`llama-bench failed (${run.status ?? run.signal}): ${run.stderr.slice(-500)}`);
  const rows = JSON.parse(run.stdout) as { n_prompt: number; n_gen: number; avg_ts: number }[];
  const pp = rows.find((row) => row.n_prompt > 0 && row.n_gen === 0);
  const tg = rows.find((row) => row.n_gen > 0 && row.n_prompt === 0);
  if (!pp || !tg) throw new Error("llama-bench printed no pp/tg rows");
  return { pp512: pp.avg_ts, tg128: tg.avg_ts, tool };
}
