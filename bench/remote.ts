/**
 * Remote-backend capacity benchmark (`npm run bench:remote`): 1, 2, 4 and 8 simulated developers (the completion
 * benchmark's scripted typing each, `bench/remoteSession.ts`) against one real llama-server running the qwen05b-shaped
 * synthetic model (Q8_0) with `--parallel` 1, 2 and 4, on this machine's CPU. One JSON line per configuration:
 * keystroke → suggestion p50/p95 (debounce included), completions per second over the run, and the ratio to the same
 * single-developer session through the local engine, measured in the same run. Figures, not assertions.
 *
 * BENCH_REMOTE_DEVELOPERS=1,2 and BENCH_REMOTE_PARALLEL=1,2 pick a subset; BENCH_REMOTE_THREADS sets the server's
 * threads (default: the local engine's measured count, so both use the same cores).
 */
import os from "node:os";
import path from "node:path";
import { calibrateCharsPerToken } from "../src/core/completion/index.ts";
import { remoteModelRef } from "../src/core/backend/index.ts";
import { LocalBackend } from "../src/inference/localBackend.ts";
import { RemoteBackend } from "../src/inference/remote/remoteBackend.ts";
import { ensureLlamaTools } from "../scripts/llama-tools.ts";
import { ensureChildBuilt } from "../test/engine/childBuild.ts";
import { LlamaServer } from "../test/fixtures/llamaServer.ts";
import { ensureSyntheticModel } from "../test/fixtures/models.ts";
import { mean, pct, r1 } from "./completionSupport.ts";
import { developerSession, type SessionResult } from "./remoteSession.ts";

const MODEL = "qwen05b";
const QUANT = "Q8_0";
const list = (value: string | undefined, fallback: number[]) => (value ? value.split(",").map(Number).filter((n) => n > 0) : fallback);
const DEVELOPERS = list(process.env.BENCH_REMOTE_DEVELOPERS, [1, 2, 4, 8]);
const PARALLEL = list(process.env.BENCH_REMOTE_PARALLEL, [1, 2, 4]);
const CONTEXT_PER_SLOT = 4096;

function emit(metric: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ bench: "remote", model: `${MODEL}-${QUANT}`, metric, ...fields }));
}

function summarise(results: SessionResult[], seconds: number) {
  const latencies = results.flatMap((r) => r.latencies);
  const completions = results.reduce((n, r) => n + r.completions, 0);
  const tokens = results.flatMap((r) => r.generatedTokens);
  const cut = results.reduce((n, r) => n + r.cutByBudget, 0);
  return {
    p50: pct(latencies, 50),
    p95: pct(latencies, 95),
    n: latencies.length,
    completionsPerSecond: Math.round((completions / seconds) * 1000) / 1000,
    meanTokensPerSuggestion: mean(tokens),
    cutByTimeBudget: tokens.length === 0 ? null : Math.round((cut / tokens.length) * 100) / 100,
    seconds: r1(seconds),
  };
}

async function main(): Promise<void> {
  const modelPath = await ensureSyntheticModel(MODEL, { quantization: QUANT });
  const serverBinary = path.join(ensureLlamaTools(), "bin", "llama-server");
  const local = new LocalBackend({ childPath: await ensureChildBuilt(), cacheDir: path.join(os.homedir(), ".cache", "private-coder", "engine"), gpu: false, idleUnloadMs: 0, handshakeTimeoutMs: 120_000 });
  // --- the single-developer figure through the local engine (same model, same session) -------------------------------
  let speed;
  let charsPerToken;
  let threads;
  let localFigure;
  try {
    const loaded = await local.loadModel("completion", { id: `file:${modelPath}`, source: "file", label: MODEL, path: modelPath });
    threads = loaded.facts.threads ?? 2;
    speed = await local.measureSpeed("completion");
    const sample = "export function suffixRoom(total: number, used: number): number {\n  return Math.max(0, total - used);\n}\n".repeat(20);
    charsPerToken = calibrateCharsPerToken(sample.length, await local.countTokens(sample, { role: "completion" }));
    emit("setup", { threads, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, speed, charsPerToken: r1(charsPerToken), contextPerSlot: CONTEXT_PER_SLOT, loadavg: os.loadavg().map(r1) });
    const started = performance.now();
    const result = await developerSession({ engine: local, speed, charsPerToken, contextSize: CONTEXT_PER_SLOT, developer: 0 });
    localFigure = summarise([result], (performance.now() - started) / 1000);
    emit("local_single_developer", { unit: "ms", ...localFigure });
  } finally {
    await local.dispose();
  }

  // --- remote: developers × parallel slots ---------------------------------------------------------------------------
  const serverThreads = Number(process.env.BENCH_REMOTE_THREADS) || threads;
  for (const parallel of PARALLEL) {
    const server = new LlamaServer({ binary: serverBinary, model: modelPath, parallel, threads: serverThreads, contextSize: CONTEXT_PER_SLOT * parallel, apiKey: "bench-key" });
    await server.start(180_000);
    try {
      for (const developers of DEVELOPERS) {
        const backends = Array.from({ length: developers }, () => new RemoteBackend({ endpoints: () => [server.url], apiKey: () => Promise.resolve(server.apiKey), healthIntervalMs: 0, firstTokenTimeoutMs: 120_000 }));
        await Promise.all(backends.map((b) => b.loadModel("completion", remoteModelRef(server.url, ""))));
        const started = performance.now();
        const results = await Promise.all(backends.map((engine, developer) => developerSession({ engine, speed, charsPerToken, contextSize: CONTEXT_PER_SLOT, developer })));
        const figure = summarise(results, (performance.now() - started) / 1000);
        emit("remote", {
          unit: "ms",
          developers,
          parallel,
          serverThreads,
          ...figure,
          ratioP50OverLocal: Math.round((figure.p50 / localFigure.p50) * 100) / 100,
          ratioP95OverLocal: Math.round((figure.p95 / localFigure.p95) * 100) / 100,
          p95Under1500ms: figure.p95 < 1500,
          loadavg: os.loadavg().map(r1),
        });
        await Promise.all(backends.map((b) => b.dispose()));
      }
    } finally {
      await server.stop("SIGTERM");
    }
  }
}

await main();
