/**
 * `bench:engine`'s native column: pp512 and tg128 on the same model file and thread count for
 * - the prebuilt node-llama-cpp binary, in our child (`engine/benchDecode`),
 * - the build for this CPU (scripts/engine-build.ts, built here when missing: ~6.5 min on 2 cores, once per machine),
 *   in our child,
 * - llama.cpp's own llama-bench (scripts/llama-tools.ts, cached; skipped when not built),
 * with the ratios ours/native and local/prebuilt from this one run. Each binary runs in a fresh child, one at a time.
 */
import { ensureEngineBuild } from "../scripts/engine-build.ts";
import { LocalEngineClient } from "../src/inference/client.ts";
import { nativeLlamaBench } from "./nativeBench.ts";

const PP = 512;
const TG = 128;

export interface BinarySpeeds {
  readonly pp512: number;
  readonly tg128: number;
  readonly binary: string;
}

async function measure(childPath: string, cacheDir: string, modelPath: string, threads: number, engineBinary: string | null): Promise<BinarySpeeds> {
  const client = new LocalEngineClient({ childPath, cacheDir, gpu: false, idleUnloadMs: 0, handshakeTimeoutMs: 120_000, threads, engineBinary, requireEngineBinary: engineBinary != null });
  try {
    await client.loadModel({ path: modelPath, role: "completion" });
    await client.benchDecode({ promptTokens: 32, generateTokens: 4 });
    let pp = Infinity;
    let tg = Infinity;
    for (let i = 0; i < 2; i++) {
      pp = Math.min(pp, (await client.benchDecode({ promptTokens: PP, generateTokens: 0 })).prefillMs);
      tg = Math.min(tg, (await client.benchDecode({ promptTokens: 16, generateTokens: TG })).decodeMs);
    }
    return { pp512: (PP / pp) * 1000, tg128: (TG / tg) * 1000, binary: client.engineInfo?.binary.source ?? "?" };
  } finally {
    await client.dispose();
  }
}

const r1 = (n: number): number => Math.round(n * 10) / 10;
const r3 = (n: number): number => Math.round(n * 1000) / 1000;

export async function nativeColumn(options: { childPath: string; cacheDir: string; modelPath: string; threads: number; emit: (line: Record<string, unknown>) => void }): Promise<void> {
  const { childPath, cacheDir, modelPath, threads } = options;
  const addon = await ensureEngineBuild();
  const prebuilt = await measure(childPath, cacheDir, modelPath, threads, null);
  const local = await measure(childPath, cacheDir, modelPath, threads, addon);
  const native = nativeLlamaBench(modelPath, threads);
  if (!native) console.error("[bench] llama-bench is not built here (npm run llama-tools): the native figures are left out");
  for (const metric of ["pp512", "tg128"] as const) {
    options.emit({
      metric: `native_${metric}`,
      unit: "tokens/s",
      prebuilt: r1(prebuilt[metric]),
      localBuild: r1(local[metric]),
      native: native ? r1(native[metric]) : null,
      ratioPrebuiltToNative: native ? r3(prebuilt[metric] / native[metric]) : null,
      ratioLocalToNative: native ? r3(local[metric] / native[metric]) : null,
      ratioLocalToPrebuilt: r3(local[metric] / prebuilt[metric]),
      localBinaryLoaded: local.binary,
      threads,
      note: "prebuilt and local build in our child (engine/benchDecode, best of 2); native: llama-bench -r 2 from the cached llama.cpp build; goal local/native >= 0.9",
    });
  }
}
