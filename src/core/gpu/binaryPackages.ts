/**
 * Which of node-llama-cpp's prebuilt binary packages serve a platform, CPU architecture and compute backend, and
 * where a downloaded one lives in global storage. The names mirror node-llama-cpp 3.x's own choice
 * (`getPrebuiltBinariesPackageDirectoryForBuildOptions` imports exactly these), so a package installed here is the
 * one its `import()` asks for. The `.vsix` carries only the CPU package (and the Metal one on Apple Silicon, which
 * is the default package there); CUDA and Vulkan are fetched on demand.
 */

export const BINARY_PACKAGE_SCOPE = "@node-llama-cpp";

/** A GPU backend node-llama-cpp has a downloadable prebuilt binary for. */
export type DownloadableGpuBackend = "cuda" | "vulkan";
export type ComputeBackend = DownloadableGpuBackend | "metal" | "cpu";

/** node-llama-cpp's platform names ("mac", "win") from Node's `process.platform`. */
function nlcPlatform(platform: string): "linux" | "mac" | "win" | undefined {
  if (platform === "linux") return "linux";
  if (platform === "darwin") return "mac";
  if (platform === "win32") return "win";
  return undefined;
}

const ARCH_SUFFIX: Readonly<Record<string, string>> = { x64: "x64", arm64: "arm64", arm: "armv7l", riscv64: "riscv64" };

/**
 * The packages node-llama-cpp imports for `backend` on this platform, the main one first (CUDA also takes its
 * `-ext` companion, which carries a fallback CUDA library, as npm installs both). `undefined`: node-llama-cpp has
 * no prebuilt binary for that combination.
 */
export function binaryPackagesFor(platform: string, arch: string, backend: ComputeBackend): readonly string[] | undefined {
  const os = nlcPlatform(platform);
  const cpu = ARCH_SUFFIX[arch];
  if (!os || !cpu) return undefined;
  const name = (suffix: string) => `${BINARY_PACKAGE_SCOPE}/${os}-${suffix}`;
  if (os === "mac") {
    if (cpu === "arm64") return backend === "metal" ? [name("arm64-metal")] : undefined;
    return cpu === "x64" && backend === "cpu" ? [name("x64")] : undefined;
  }
  if (cpu !== "x64") {
    // Linux arm64/armv7l/riscv64 and Windows arm64 have one package, CPU only.
    const single = os === "linux" || cpu === "arm64" ? [name(cpu)] : undefined;
    return backend === "cpu" ? single : undefined;
  }
  if (backend === "cuda") return [name("x64-cuda"), name("x64-cuda-ext")];
  if (backend === "vulkan") return [name("x64-vulkan")];
  if (backend === "cpu") return [name("x64")];
  return undefined;
}

/** The GPU packages that can be downloaded for this machine's platform (none where the prebuilt one is the GPU one). */
export function downloadableGpuPackages(platform: string, arch: string, backend: ComputeBackend): readonly string[] | undefined {
  if (backend !== "cuda" && backend !== "vulkan") return undefined;
  return binaryPackagesFor(platform, arch, backend);
}

/** Whether `name` is one of node-llama-cpp's binary packages (the only specifiers the child redirects). */
export function isBinaryPackageName(name: string): boolean {
  return /^@node-llama-cpp\/(linux|mac|win)-[a-z0-9]+(-[a-z0-9]+)*$/.test(name);
}

/**
 * Layout of the downloaded packages in global storage: one folder per node-llama-cpp version, holding an ordinary
 * `node_modules` tree, so the child resolves a package there exactly as Node resolves it from any project
 * (`exports`, `main`), and a new extension version with another node-llama-cpp never picks up an old binary.
 */
export interface GpuStoreLayout {
  /** `<storage>/gpu` */
  readonly base: string;
  /** `<storage>/gpu/node-llama-cpp@<version>`: the folder the child resolves from. */
  readonly root: string;
  /** Where `name` is unpacked. */
  packageDir(name: string): string;
}

/** Paths are joined with `/` (Node on Windows accepts it); `storageDir` is the extension's global storage folder. */
export function gpuStoreLayout(storageDir: string, nodeLlamaCppVersion: string): GpuStoreLayout {
  const base = `${storageDir.replace(/[\\/]+$/, "")}/gpu`;
  const root = `${base}/node-llama-cpp@${nodeLlamaCppVersion}`;
  return { base, root, packageDir: (name) => `${root}/node_modules/${name}` };
}
