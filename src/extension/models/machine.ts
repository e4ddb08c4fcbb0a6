/**
 * What this machine offers a model: RAM (total, free) and GPUs (NVIDIA through `nvidia-smi`, Apple Silicon's
 * unified memory, a Vulkan loader). Detection is quick and time-limited and never throws: a missing tool means "no
 * such GPU". No `vscode` import.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import type { MachineMemory } from "../../core/models/fit.ts";

export interface GpuInfo {
  readonly name: string;
  readonly backend: "cuda" | "metal" | "vulkan";
  readonly totalBytes?: number;
  readonly freeBytes?: number;
}

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

async function nvidiaGpus(): Promise<GpuInfo[]> {
  const out = await run("nvidia-smi", ["--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"], 3_000);
  if (!out) return [];
  return out
    .split("\n")
    .map((line) => line.split(",").map((s) => s.trim()))
    .filter((parts) => parts.length === 3 && parts[0])
    .map(([name = "", total = "", free = ""]) => ({ name, backend: "cuda" as const, totalBytes: Number(total) * 1024 * 1024, freeBytes: Number(free) * 1024 * 1024 }));
}

const VULKAN_LOADERS = ["/usr/lib/x86_64-linux-gnu/libvulkan.so.1", "/usr/lib/aarch64-linux-gnu/libvulkan.so.1", "/usr/lib64/libvulkan.so.1", "/usr/lib/libvulkan.so.1", "C:\\Windows\\System32\\vulkan-1.dll"];

export async function detectGpus(): Promise<GpuInfo[]> {
  if (process.platform === "darwin" && process.arch === "arm64") {
    // Unified memory: the GPU shares RAM; Metal can use most of it.
    return [{ name: "Apple Silicon GPU", backend: "metal", totalBytes: os.totalmem(), freeBytes: os.freemem() }];
  }
  const nvidia = await nvidiaGpus();
  if (nvidia.length > 0) return nvidia;
  // A Vulkan loader alone says little about a usable device; listed without memory so no VRAM verdict relies on it.
  if (VULKAN_LOADERS.some((p) => existsSync(p))) return [{ name: "Vulkan loader found (device unknown)", backend: "vulkan" }];
  return [];
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
