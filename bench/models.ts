/**
 * Select Model's cost per entry: list and estimate the models on disk as the picker does — 50 shaped synthetic
 * models (Qwen2.5 layouts 0.1B–14B, real headers, sparse data) plus the synthetic models already cached and any
 * found in other tools' stores — first with the header estimate (host side), then with node-llama-cpp's
 * `GgufInsights` in the real engine child: cold (the child has not read the file yet), warm (opening the picker
 * again), and with `engine.contextSize` at 131,072 (where a full resolver run took 82 s). JSON lines; the issue's
 * bound is p95 < 300 ms per entry.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { otherToolRoots, type StoreRoot } from "../src/core/models/storeLocations.ts";
import { listLocalModels } from "../src/extension/models/modelLister.ts";
import { machineInfo } from "../src/extension/models/machine.ts";
import { LocalEngineClient } from "../src/inference/client.ts";
import type { EstimateFitParams } from "../src/inference/protocol.ts";
import { ensureChildBuilt } from "../test/engine/childBuild.ts";
import { syntheticModelCacheDirectory } from "../test/fixtures/models.ts";
import { shapedModelSet, writeShapedModel } from "../test/fixtures/modelStores/shapedModels.ts";

const SHAPED = 50;

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 10) / 10;
}

function line(kase: string, perEntryMs: readonly number[], extra: Record<string, unknown> = {}): void {
  console.log(
    JSON.stringify({ bench: "models", case: kase, entries: perEntryMs.length, p50Ms: pct(perEntryMs, 50), p95Ms: pct(perEntryMs, 95), maxMs: pct(perEntryMs, 100), ...extra, loadAverage: os.loadavg()[0] }),
  );
}

const dir = mkdtempSync(path.join(os.tmpdir(), "pc-models-bench-"));
const client = new LocalEngineClient({ childPath: await ensureChildBuilt(), cacheDir: path.join(dir, "cache"), gpu: false, handshakeTimeoutMs: 60_000 });
try {
  const store = path.join(dir, "store");
  mkdirSync(store);
  for (const model of shapedModelSet(SHAPED)) await writeShapedModel(path.join(store, `${model.name}.gguf`), model);
  const roots: StoreRoot[] = [
    { kind: "file", path: store, reason: "bench: shaped models" },
    { kind: "file", path: syntheticModelCacheDirectory(), reason: "bench: synthetic models on disk" },
    ...otherToolRoots({ platform: process.platform, home: os.homedir(), env: process.env }),
  ];
  const machine = await machineInfo();

  let started = performance.now();
  const listed = await listLocalModels({ roots, machine, contextSetting: 0 });
  const listMs = performance.now() - started;
  line("header estimate (host)", listed.map((m) => m.estimateMs), { totalMs: Math.round(listMs), unreadable: listed.filter((m) => m.summaryError).length });

  started = performance.now();
  await client.start();
  const startMs = Math.round(performance.now() - started);

  const paths = listed.map((m) => m.path);
  const run = async (kase: string, params: Omit<EstimateFitParams, "paths">) => {
    const t0 = performance.now();
    const { results } = await client.estimateFit({ paths, ...params });
    const wallMs = performance.now() - t0;
    const attempts = results.map((r) => (r.ok ? r.attempts : 0));
    line(kase, results.map((r) => r.ms), { totalMs: Math.round(wallMs), failures: results.filter((r) => !r.ok).length, maxAttempts: Math.max(...attempts) });
  };
  await run("loader estimate, cold (child)", {});
  await run("loader estimate, warm (child)", {});
  await run("loader estimate, contextSize 131072, warm (child)", { contextSize: 131_072 });
  line("engine start", [startMs]);
} finally {
  await client.dispose();
  rmSync(dir, { recursive: true, force: true });
}
