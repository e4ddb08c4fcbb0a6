/**
 * The verification benchmark of "Optimize the engine for this CPU": the prebuilt binary and the local build each run
 * in a fresh inference child (`LocalEngineClient`, so a build that crashes on load kills only that child), on the
 * same model file and thread count, one after the other: a 256-token prefill and a 48-token decode, best of two, after
 * a warm-up. `engineVerdict` (core) then decides whether the local build is worth using.
 */
import { LocalEngineClient } from "../client.ts";
import type { LocalEngineClientOptions } from "../clientOptions.ts";
import type { EngineSpeed } from "../../core/engineVerdict.ts";

const PREFILL_TOKENS = 256;
const DECODE_TOKENS = 48;

export interface MeasuredEngine extends EngineSpeed {
  readonly threads: number;
  readonly binary: "prebuilt" | "local";
}

export interface MeasureEngineOptions {
  /** The child and its environment (as the extension starts it). */
  readonly client: Pick<LocalEngineClientOptions, "childPath" | "execPath" | "env" | "cacheDir">;
  readonly modelPath: string;
  /** The local addon to measure; null measures the prebuilt. */
  readonly engineBinary: string | null;
  /** Thread count; default the engine's own choice for the model (measured or remembered). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

/** Measures one binary. Throws when its child does not start (a local build that fails or crashes on load) or is aborted. */
export async function measureEngine(options: MeasureEngineOptions): Promise<MeasuredEngine> {
  const client = new LocalEngineClient({
    ...options.client,
    gpu: false,
    idleUnloadMs: 0,
    handshakeTimeoutMs: 120_000,
    engineBinary: options.engineBinary,
    requireEngineBinary: options.engineBinary != null,
    crashBreaker: { maxCrashes: 1 },
    ...(options.threads != null ? { threads: options.threads } : {}),
  });
  try {
    const request = { signal: options.signal };
    const loaded = await client.loadModel({ path: options.modelPath, role: "completion" }, request);
    const binary = client.engineInfo?.binary.source === "localBuild" ? "local" : "prebuilt";
    await client.benchDecode({ promptTokens: 32, generateTokens: 4 }, request);
    let prefillMs = Infinity;
    let decodeMs = Infinity;
    for (let i = 0; i < 2; i++) {
      options.signal?.throwIfAborted();
      prefillMs = Math.min(prefillMs, (await client.benchDecode({ promptTokens: PREFILL_TOKENS, generateTokens: 0 }, request)).prefillMs);
      decodeMs = Math.min(decodeMs, (await client.benchDecode({ promptTokens: 16, generateTokens: DECODE_TOKENS }, request)).decodeMs);
    }
    return {
      binary,
      threads: loaded.model.threads,
      prefillTokensPerSecond: (PREFILL_TOKENS / prefillMs) * 1000,
      decodeTokensPerSecond: (DECODE_TOKENS / decodeMs) * 1000,
    };
  } finally {
    await client.dispose();
  }
}
