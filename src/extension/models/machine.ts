/**
 * What this machine offers a model: RAM (total, free) and GPUs (NVIDIA through `nvidia-smi`, Apple Silicon's
 * unified memory, a Vulkan loader). Detection is quick and time-limited and never throws: a missing tool means "no
 * such GPU". No `vscode` import.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { detectGpus as detectGpusFrom, type DetectedGpu, type GpuProbes } from "../../core/gpu/detect.ts";
import type { MachineMemory } from "../../core/models/fit.ts";

export type GpuInfo = DetectedGpu;

export interface MachineInfo extends MachineMemory {
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly gpus: readonly GpuInfo[];
}

function run(command: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** This machine's probes for src/core/gpu/detect.ts: `nvidia-smi` (3 s limit) and file checks. */
export function realGpuProbes(): GpuProbes {
  return {
    platform: process.platform,
    arch: process.arch,
    totalMemoryBytes: os.totalmem(),
    freeMemoryBytes: os.freemem(),
    nvidiaSmi: () => run("nvidia-smi", ["--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"], 3_000),
    fileExists: (file) => existsSync(file),
    ...(process.env.SystemRoot ? { systemRoot: process.env.SystemRoot } : {}),
  };
}

export function detectGpus(): Promise<GpuInfo[]> {
  return detectGpusFrom(realGpuProbes());
}

let cached: { at: number; info: Promise<MachineInfo> } | undefined;

/** RAM and GPUs; GPU detection is cached for 30 s (it spawns a process). */
export function machineInfo(): Promise<MachineInfo> {
  if (!cached || Date.now() - cached.at > 30_000) {
    cached = {
      at: Date.now(),
      info: detectGpus().then((gpus) => {
        const best = gpus.find((g) => g.freeBytes !== undefined && g.backend !== "metal");
        return {
          platform: process.platform,
          arch: process.arch,
          cpuModel: os.cpus()[0]?.model ?? "unknown",
          cpuCount: os.availableParallelism?.() ?? os.cpus().length,
          totalRamBytes: os.totalmem(),
          freeRamBytes: os.freemem(),
          ...(best?.freeBytes !== undefined ? { freeVramBytes: best.freeBytes } : {}),
          gpus,
        };
      }),
    };
  }
  return cached.info;
}
