/**
 * GPU detection from what this machine already has, without the network: `nvidia-smi` listing a GPU means CUDA, a
 * Vulkan loader library means Vulkan, Apple Silicon means Metal. The probes (run a command, test a file) are
 * injected, so the decisions are unit-tested on any machine; src/extension/models/machine.ts wires the real ones.
 */
import { downloadableGpuPackages, type DownloadableGpuBackend } from "./binaryPackages.ts";

export interface DetectedGpu {
  readonly name: string;
  readonly backend: "cuda" | "metal" | "vulkan";
  readonly totalBytes?: number;
  readonly freeBytes?: number;
}

export interface GpuProbes {
  readonly platform: string;
  readonly arch: string;
  /** Total RAM: Apple Silicon's GPU shares it. */
  readonly totalMemoryBytes: number;
  readonly freeMemoryBytes: number;
  /**
   * Output of `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits`, or `undefined`
   * when the tool is missing, fails or times out.
   */
  nvidiaSmi(): Promise<string | undefined>;
  /** Whether a file exists (never throws). */
  fileExists(path: string): boolean | Promise<boolean>;
  /** `SystemRoot` on Windows (default `C:\Windows`). */
  readonly systemRoot?: string;
}

/** `nvidia-smi`'s CSV (MiB, no units) to GPUs; lines that are not `name, total, free` are ignored. */
export function parseNvidiaSmi(csv: string): DetectedGpu[] {
  const gpus: DetectedGpu[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const parts = line.split(",").map((s) => s.trim());
    if (parts.length !== 3 || !parts[0]) continue;
    const mib = (s: string | undefined) => (s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) * 1024 * 1024 : undefined);
    const total = mib(parts[1]);
    const free = mib(parts[2]);
    gpus.push({ name: parts[0], backend: "cuda", ...(total !== undefined ? { totalBytes: total } : {}), ...(free !== undefined ? { freeBytes: free } : {}) });
  }
  return gpus;
}

/** Where the Vulkan loader is installed by GPU drivers and distributions. */
export function vulkanLoaderPaths(platform: string, arch: string, systemRoot = "C:\\Windows"): string[] {
  if (platform === "win32") return [`${systemRoot}\\System32\\vulkan-1.dll`];
  if (platform !== "linux") return [];
  const triplet = arch === "arm64" ? "aarch64-linux-gnu" : arch === "x64" ? "x86_64-linux-gnu" : undefined;
  return [...(triplet ? [`/usr/lib/${triplet}/libvulkan.so.1`] : []), "/usr/lib64/libvulkan.so.1", "/usr/lib/libvulkan.so.1", "/usr/local/lib/libvulkan.so.1"];
}

/** The GPUs this machine offers, best backend first (CUDA before Vulkan; Metal on Apple Silicon). Never throws. */
export async function detectGpus(probes: GpuProbes): Promise<DetectedGpu[]> {
  if (probes.platform === "darwin" && probes.arch === "arm64") {
    // Unified memory: the GPU shares the RAM.
    return [{ name: "Apple Silicon GPU", backend: "metal", totalBytes: probes.totalMemoryBytes, freeBytes: probes.freeMemoryBytes }];
  }
  if (probes.platform === "darwin") return [];
  const gpus: DetectedGpu[] = [];
  const smi = await probes.nvidiaSmi().catch(() => undefined);
  if (smi) gpus.push(...parseNvidiaSmi(smi));
  for (const path of vulkanLoaderPaths(probes.platform, probes.arch, probes.systemRoot)) {
    if (await Promise.resolve(probes.fileExists(path)).catch(() => false)) {
      // A loader alone names no device: listed without memory, so no VRAM verdict relies on it.
      gpus.push({ name: "Vulkan loader found (device unknown)", backend: "vulkan" });
      break;
    }
  }
  return gpus;
}

/** What Enable GPU Acceleration would fetch for the best detected GPU; `undefined` when nothing is to be fetched. */
export interface GpuOffer {
  readonly backend: DownloadableGpuBackend;
  readonly packages: readonly string[];
  /** The GPU that motivates it, for the message. */
  readonly gpuName: string;
}

/**
 * The best downloadable backend for the detected GPUs on this platform: CUDA for an NVIDIA GPU, else Vulkan. Metal
 * needs no download (Apple Silicon's prebuilt package is the Metal one), so it offers nothing.
 */
export function gpuOffer(gpus: readonly DetectedGpu[], platform: string, arch: string): GpuOffer | undefined {
  for (const backend of ["cuda", "vulkan"] as const) {
    const gpu = gpus.find((g) => g.backend === backend);
    const packages = gpu ? downloadableGpuPackages(platform, arch, backend) : undefined;
    if (gpu && packages) return { backend, packages, gpuName: gpu.name };
  }
  return undefined;
}

/** Whether to show the one-time "Enable GPU Acceleration?" notification. */
export function shouldOfferGpu(input: {
  readonly offer: GpuOffer | undefined;
  /** The device the running engine reports. */
  readonly engineDevice: string;
  /** `privateCoder.engine.gpu`: a user who chose `cpu` is not asked. */
  readonly gpuSetting: string;
  /** The offer's packages are installed already (then a restart, not a download, is what is missing). */
  readonly installed: boolean;
  /** The notification was shown before. */
  readonly alreadyOffered: boolean;
}): boolean {
  return input.offer !== undefined && input.engineDevice === "cpu" && input.gpuSetting !== "cpu" && !input.installed && !input.alreadyOffered;
}
