/**
 * `bench:engine`: decode speed with 2 threads while a second process keeps one core busy, before and after the
 * engine's thread re-check (src/inference/engine/threadRecheck.ts). The engine starts with 2 threads (the thread cache
 * is pre-filled, as a quiet-time choice on this machine would leave it), serves 6 completions on a quiet machine (the
 * reference), then a busy-looping process takes one core: the completions before the re-check show the slowdown, the
 * re-check runs between requests, and the completions after it show what it recovered. For reference, one thread
 * under the same load (a second engine): where it is not faster than two, a re-check has nothing to recover and
 * not running it is right. Same run, same file.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalEngineClient } from "../src/inference/client.ts";
import { threadCacheKey, writeCachedThreads } from "../src/inference/engine/threadTuning.ts";

const r1 = (n: number): number => Math.round(n * 10) / 10;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function decodeUnderLoad(options: { childPath: string; modelPath: string; emit: (line: Record<string, unknown>) => void }): Promise<void> {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), "private-coder-bench-threads-"));
  const cores = os.availableParallelism();
  const { size, mtimeMs } = statSync(options.modelPath);
  await writeCachedThreads(cacheDir, threadCacheKey(options.modelPath, size, mtimeMs, cores, "cpu"), { threads: 2, source: "measured", measurements: [] });
  const client = new LocalEngineClient({ childPath: options.childPath, cacheDir, gpu: false, idleUnloadMs: 0, handshakeTimeoutMs: 120_000 });
  const recheckLogs: string[] = [];
  client.onLog((e) => {
    if (e.message.startsWith("thread re-check")) recheckLogs.push(e.message);
  });
  let busy: ReturnType<typeof spawn> | undefined;
  let n = 0;
  const completion = async (): Promise<number | null> => {
    const i = n++;
    const result = await client.complete({ prefix: `export function step${i}(values: number[]): number {\n  let total${i} = 0;\n  for (const v of values) total${i} += v * ${i};\n`, currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 24, temperature: 0 });
    return result.metrics.generatedTokens >= 4 ? result.metrics.tokensPerSecond : null;
  };
  const collect = async (count: number): Promise<number[]> => {
    const speeds: number[] = [];
    for (let i = 0; i < count; i++) {
      const tps = await completion();
      if (tps != null) speeds.push(tps);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return speeds;
  };
  try {
    const loaded = await client.loadModel({ path: options.modelPath, role: "completion" });
    const threadsAtStart = loaded.model.threads;
    const quiet = await collect(6);
    busy = spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = await collect(3);
    // The re-check starts after the request that showed the drop, between requests: wait for it (at most 15 s).
    const deadline = Date.now() + 15_000;
    while (recheckLogs.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const threadsAfter = (await client.status()).models[0]?.threads ?? null;
    const after = await collect(5);
    // What the re-check could have chosen: one thread under the same load, in a second engine (the first is idle).
    const single = new LocalEngineClient({ childPath: options.childPath, cacheDir, gpu: false, idleUnloadMs: 0, handshakeTimeoutMs: 120_000, threads: 1 });
    let oneThread: number | null = null;
    try {
      await single.loadModel({ path: options.modelPath, role: "completion" });
      const speeds: number[] = [];
      for (let i = 0; i < 5; i++) {
        const result = await single.complete({ prefix: `export const v${i} = [${i}, ${i + 1}];\nexport function f${i}(x: number): number {\n`, currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 24, temperature: 0 });
        if (result.metrics.generatedTokens >= 4 && result.metrics.tokensPerSecond != null) speeds.push(result.metrics.tokensPerSecond);
      }
      oneThread = median(speeds);
    } finally {
      await single.dispose();
    }
    const b = median(before);
    const a = median(after);
    options.emit({
      metric: "decode_2_threads_one_core_busy",
      unit: "tokens/s",
      quiet: r1(median(quiet) ?? NaN),
      beforeRecheck: b == null ? null : r1(b),
      afterRecheck: a == null ? null : r1(a),
      ratioAfterToBefore: a != null && b != null ? r1((a / b) * 100) / 100 : null,
      threadsAtStart,
      threadsAfterRecheck: threadsAfter,
      oneThreadUnderLoad: oneThread == null ? null : r1(oneThread),
      // The re-check runs when live decode falls below half the quiet speed (threadRecheck.ts); it could only help
      // where one thread beats two under this load.
      dropToQuiet: b != null && median(quiet) != null ? r1((b / median(quiet)!) * 100) / 100 : null,
      recheckWouldHelp: oneThread != null && b != null ? oneThread > b * 1.1 : null,
      recheckRan: recheckLogs.length > 0,
      recheck: recheckLogs[0] ?? null,
      samples: { quiet: quiet.length, before: before.length, after: after.length },
      note: "medians of completion decode speeds (24 tokens max); the busy process is a Node busy loop on one core",
    });
  } finally {
    busy?.kill("SIGKILL");
    await client.dispose();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
