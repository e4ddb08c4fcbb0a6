/**
 * The child's one `Llama` binding at `initialize`: the local build for this CPU when one is asked for and loads, else
 * the prebuilt binary for the GPU setting (downloaded GPU packages first, where the host installed some), else the CPU.
 * Every fallback keeps a reason the host shows (Engine Status, the log).
 */
import os from "node:os";
import { getLlama, getModuleVersion, LlamaLogLevel, type Llama } from "node-llama-cpp";
import { EngineError } from "../errors.ts";
import { EngineErrorCode, type BinaryInfo, type Device, type InitializeParams } from "../protocol.ts";
import { describeBinary, downloadedPackagesTried, registerBinaryPackages, type BinaryResolutions } from "./binarySource.ts";
import { loadLocalLlama } from "./localBinary.ts";
import type { ChildLogger } from "./log.ts";

export interface StartedLlama {
  readonly llama: Llama;
  readonly device: Device;
  /** Why the GPU asked for is not used (null when it is, or none was asked for). */
  readonly gpuFallbackReason: string | null;
  readonly binary: BinaryInfo;
  /** node-llama-cpp's version. */
  readonly version: string;
}

type LlamaLogger = (level: LlamaLogLevel, message: string) => void;
type CommonOptions = { build: "never"; maxThreads: number; logLevel: LlamaLogLevel; logger: LlamaLogger; progressLogs: false };

export async function startLlama(params: InitializeParams, log: ChildLogger, llamaLog: LlamaLogger): Promise<StartedLlama> {
  const gpu = params.gpu ?? "auto";
  let gpuFallbackReason: string | null = null;
  const version = await getModuleVersion();
  let resolutions: BinaryResolutions | null = null;
  if (params.binaryPackages && params.binaryPackages.names.length > 0) {
    try {
      resolutions = registerBinaryPackages(params.binaryPackages, new URL("./binaryResolveHook.mjs", import.meta.url));
      log.info(`downloaded binary packages: ${params.binaryPackages.names.join(", ")} (from ${params.binaryPackages.root})`);
    } catch (error) {
      // The bundled binaries still work: go on without the downloaded ones, and say why.
      gpuFallbackReason = `the downloaded GPU packages cannot be used: ${error instanceof Error ? error.message : String(error)}`;
      log.warn(gpuFallbackReason);
    }
  }
  const common: CommonOptions = {
    build: "never",
    // Never node-llama-cpp's default (max(cores, 4)): oversubscribed threads made decode 100x slower on 2 cores.
    maxThreads: Math.max(1, os.availableParallelism()),
    logLevel: LlamaLogLevel.warn,
    logger: llamaLog,
    progressLogs: false,
  };
  const tried = (): string => {
    const packages = downloadedPackagesTried(resolutions, version);
    return packages.length > 0 ? ` (tried the downloaded ${packages.join(", ")}; see the log for node-llama-cpp's reason)` : "";
  };
  const localBuild = await loadEngineBinary(params, gpu, common, log);
  let llama: Llama;
  if (localBuild.llama) {
    llama = localBuild.llama;
  } else {
    try {
      llama = await getLlama({ ...common, gpu });
      await resolutions?.settle();
      if (gpu !== false && llama.gpu === false) gpuFallbackReason ??= `no usable GPU device was found${tried()}`;
    } catch (error) {
      if (gpu === false) throw error;
      await resolutions?.settle();
      const message = error instanceof Error ? error.message || error.name : String(error);
      gpuFallbackReason = `${gpu === "auto" ? "no GPU backend" : `the ${gpu} backend`} could not be loaded: ${message}${tried()}`;
      log.warn(`GPU device "${String(gpu)}" failed, falling back to CPU: ${gpuFallbackReason}`);
      llama = await getLlama({ ...common, gpu: false });
    }
  }
  // Search threads over the math cores only (hyper-threads slow llama.cpp down).
  llama.maxThreads = Math.max(1, llama.cpuMathCores);
  const device: Device = llama.gpu === false ? "cpu" : llama.gpu;
  // A problem with the downloaded packages matters only when the GPU is not used after all.
  if (device !== "cpu") gpuFallbackReason = null;
  const binary = describeBinary({
    device,
    buildType: llama.buildType,
    version,
    platform: process.platform,
    arch: process.arch,
    resolutions,
    localBuild: { path: localBuild.path, fallbackReason: localBuild.fallbackReason },
  });
  return { llama, device, gpuFallbackReason, binary, version };
}

/** The local build for this CPU when one is asked for and loads; else why not (the caller loads the prebuilt). */
async function loadEngineBinary(
  params: InitializeParams,
  gpu: NonNullable<InitializeParams["gpu"]>,
  common: CommonOptions,
  log: ChildLogger,
): Promise<{ llama: Llama | null; path: string | null; fallbackReason: string | null }> {
  const addon = params.engineBinary ?? null;
  if (addon == null) return { llama: null, path: null, fallbackReason: null };
  let reason: string;
  if (gpu !== false && gpu !== "auto") {
    reason = `the GPU setting "${String(gpu)}" needs the prebuilt binary (the local build is CPU-only)`;
  } else {
    try {
      const llama = await loadLocalLlama(addon, common);
      return { llama, path: addon, fallbackReason: null };
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
  }
  if (params.requireEngineBinary) throw new EngineError(EngineErrorCode.StartFailed, `The local engine build did not load: ${reason}`);
  log.warn(`the local engine build was not used, the prebuilt binary runs instead: ${reason}`);
  return { llama: null, path: null, fallbackReason: reason };
}
