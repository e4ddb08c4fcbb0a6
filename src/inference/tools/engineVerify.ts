/**
 * The verification benchmark of "Optimize the engine for this CPU": the prebuilt binary and the local build each run
 * in a fresh inference child (`LocalEngineClient`, so a build that crashes on load kills only that child), on the
 * same model file and thread count, one after the other: a 256-token prefill and a 48-token decode, best of two, after
 * a warm-up. `engineVerdict` (core) then decides whether the local build is worth using.
 */
import { LocalEngineClient } from "../client.ts";
import type { LocalEngineClientOptions } from "../clientOptions.ts";
import { readFileSync } from "node:fs";
import os from "node:os";
import { engineVerdict, type EngineSpeed, type EngineVerdict } from "../../core/engineVerdict.ts";

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

/** A build for this CPU found faster than the prebuilt, as the extension remembers it. */
export interface VerifiedBuild {
  readonly addon: string;
  readonly prefillRatio: number;
  readonly decodeRatio: number;
  readonly verifiedAt: string;
  /** The boot it was measured in ({@link machineBootId}); absent in a verdict saved before this was kept. */
  readonly bootId?: string;
}

/**
 * This boot of the machine: Linux's random boot id, elsewhere the minute it booted. Which binary is faster depends on
 * the machine (the issue measured a build for this CPU at 1.3x the prebuilt; on a Xeon VM here, where the build must
 * leave AMX out, it generated at 0.53x and evaluated prompts at 0.28x the prebuilt in bench:engine), and a new boot
 * may bring another VM host, microcode or kernel under a verdict remembered from the last one.
 */
export function machineBootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return `booted-${Math.round((Date.now() / 1000 - os.uptime()) / 60)}`;
  }
}

/** Whether a remembered verdict is from another boot (or does not say which) and should be measured again. */
export function needsReverify(saved: VerifiedBuild | undefined, bootId: string): boolean {
  return saved !== undefined && saved.bootId !== bootId;
}

export type Reverified =
  | { readonly keep: true; readonly saved: VerifiedBuild; readonly verdict: EngineVerdict }
  | { readonly keep: false; readonly verdict: EngineVerdict | null; readonly reason: string };

/**
 * Measures a remembered build against the prebuilt again (as the command does, on `modelPath`): kept, with this boot
 * and the new ratios, only while it is still faster; a build that no longer loads or measures is dropped with the reason.
 * Aborting throws.
 */
export async function reverifyBuild(saved: VerifiedBuild, options: { client: MeasureEngineOptions["client"]; modelPath: string; bootId: string; signal?: AbortSignal }): Promise<Reverified> {
  const { client, modelPath, signal } = options;
  const prebuilt = await measureEngine({ client, modelPath, engineBinary: null, ...(signal ? { signal } : {}) });
  let local: MeasuredEngine;
  try {
    local = await measureEngine({ client, modelPath, engineBinary: saved.addon, threads: prebuilt.threads, ...(signal ? { signal } : {}) });
  } catch (error) {
    signal?.throwIfAborted();
    return { keep: false, verdict: null, reason: error instanceof Error ? error.message : String(error) };
  }
  const verdict = engineVerdict(prebuilt, local);
  if (!verdict.useLocal) return { keep: false, verdict, reason: "slower than the prebuilt" };
  return {
    keep: true,
    verdict,
    saved: { addon: saved.addon, prefillRatio: verdict.prefillRatio, decodeRatio: verdict.decodeRatio, verifiedAt: new Date().toISOString(), bootId: options.bootId },
  };
}
