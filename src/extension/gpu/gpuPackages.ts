/**
 * GPU on demand, the file side: fetch node-llama-cpp's CUDA or Vulkan binary package of exactly the installed
 * version from an npm registry, verify the tarball against the registry's `dist.integrity` (SRI), and unpack it
 * into global storage (`gpu/node-llama-cpp@<version>/node_modules/<name>`), where the child resolves it.
 * No `vscode` import: Node's http(s) through the model downloader, which VS Code routes through the user's proxy.
 *
 * Nothing half-done looks installed: every tarball is downloaded and verified before any is unpacked; each package
 * is unpacked into a temporary folder and renamed into place only when complete; a failed, cancelled or
 * mismatching download leaves no file at all (its part included: these packages are not resumed).
 */
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import * as tar from "tar";
import { gpuStoreLayout } from "../../core/gpu/binaryPackages.ts";
import { integrityMatches, PACKUMENT_ACCEPT, packumentUrl, parseIntegrity, parseVersionDist, RegistryError, type VersionDist } from "../../core/gpu/npmRegistry.ts";
import { diskFree, downloadFile, DownloadError, get, hashFile, type DownloadProgress } from "../models/downloader.ts";

/** Metadata larger than this is not a packument of these packages. */
const MAX_METADATA_BYTES = 32 * 1024 * 1024;

export type GpuInstallErrorCode = "registry" | "integrity" | "unpack" | "diskFull" | "cancelled" | "network";

export class GpuInstallError extends Error {
  constructor(
    readonly code: GpuInstallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "GpuInstallError";
  }
}

export interface GpuInstallProgress extends DownloadProgress {
  /** The package being downloaded, 1-based among `count`. */
  readonly name: string;
  readonly index: number;
  readonly count: number;
}

export interface GpuInstallRequest {
  /** Registry base URL, e.g. https://registry.npmjs.org */
  readonly registry: string;
  readonly names: readonly string[];
  /** node-llama-cpp's version: the packages must be exactly this one. */
  readonly version: string;
  /** The extension's global storage folder. */
  readonly storageDir: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: GpuInstallProgress) => void;
  /** Called once the metadata is read, before any download (the UI shows the size). */
  readonly onMetadata?: (dists: readonly VersionDist[]) => void;
  readonly log?: (line: string) => void;
  /** Free bytes (tests simulate a full disk). Default: `statfs`. */
  readonly freeBytes?: (dir: string) => Promise<number | undefined>;
}

/** Reads `name@version`'s `dist` from the registry. */
export async function fetchVersionDist(registry: string, name: string, version: string, signal?: AbortSignal): Promise<VersionDist> {
  let url: string;
  try {
    url = packumentUrl(registry, name);
  } catch (error) {
    throw new GpuInstallError("registry", error instanceof Error ? error.message : String(error));
  }
  let body: string;
  try {
    const response = await get(url, { Accept: PACKUMENT_ACCEPT, "Accept-Encoding": "identity" }, signal);
    const status = response.statusCode ?? 0;
    if (status === 404) {
      response.resume();
      throw new GpuInstallError("registry", `the registry ${new URL(url).origin} has no package ${name}`);
    }
    if (status !== 200) {
      response.resume();
      throw new GpuInstallError("registry", `the registry answered HTTP ${status} for ${name}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response) {
      size += (chunk as Buffer).length;
      if (size > MAX_METADATA_BYTES) {
        response.destroy();
        throw new GpuInstallError("registry", `the registry's answer for ${name} is larger than ${MAX_METADATA_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    body = Buffer.concat(chunks).toString("utf8");
  } catch (error) {
    if (signal?.aborted) throw new GpuInstallError("cancelled", "the download was cancelled");
    if (error instanceof GpuInstallError) throw error;
    throw new GpuInstallError("network", `the registry could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    throw new GpuInstallError("registry", `the registry's answer for ${name} is not JSON`);
  }
  try {
    return parseVersionDist(document, name, version);
  } catch (error) {
    throw new GpuInstallError(error instanceof RegistryError && error.code === "badIntegrity" ? "integrity" : "registry", error instanceof Error ? error.message : String(error));
  }
}

/** Downloads, verifies and unpacks `names`; resolves with their install folders. */
export async function installGpuPackages(request: GpuInstallRequest): Promise<string[]> {
  const { signal, names, version } = request;
  const layout = gpuStoreLayout(request.storageDir, version);
  const downloads = path.join(layout.base, ".downloads");
  await mkdir(downloads, { recursive: true });

  const dists: VersionDist[] = [];
  try {
    for (const name of names) dists.push(await fetchVersionDist(request.registry, name, version, signal));
  } catch (error) {
    await rm(downloads, { recursive: true, force: true });
    throw error;
  }
  request.onMetadata?.(dists);
  const unpacked = dists.reduce((sum, d) => sum + (d.unpackedSize ?? 0), 0);
  const free = await (request.freeBytes ?? diskFree)(downloads);
  // The tarballs and the unpacked files are on disk together for a moment; tarballs are smaller than their content.
  if (free !== undefined && unpacked > 0 && free < unpacked * 2 + 64 * 1024 * 1024) {
    throw new GpuInstallError("diskFull", `not enough free disk space: about ${unpacked * 2} bytes needed, ${free} free`);
  }

  const tarballs: string[] = [];
  for (const [i, dist] of dists.entries()) {
    const expected = parseIntegrity(dist.integrity);
    const fileName = `${dist.name.replace(/^@/, "").replace("/", "+")}-${version}.tgz`;
    try {
      const result = await downloadFile({
        url: dist.tarball,
        finalPath: path.join(downloads, fileName),
        identity: dist.integrity,
        signal,
        ...(request.freeBytes ? { freeBytes: request.freeBytes } : {}),
        ...(request.log ? { log: request.log } : {}),
        onProgress: (p) => request.onProgress?.({ ...p, name: dist.name, index: i + 1, count: dists.length }),
        verify: async (part) => {
          const digest = await hashFile(part, expected.algorithm, "base64", signal);
          if (!integrityMatches(expected, digest)) {
            throw new DownloadError("hashMismatch", `${dist.name}@${version}: the tarball does not match the registry's integrity (${expected.algorithm} ${digest.slice(0, 16)}…, expected ${expected.digest.slice(0, 16)}…)`);
          }
        },
      });
      tarballs.push(result.path);
    } catch (error) {
      // No resume for these packages: a failed or cancelled fetch leaves no file behind (parts included).
      await rm(downloads, { recursive: true, force: true });
      throw toInstallError(error, signal);
    }
    request.log?.(`Downloaded ${dist.name}@${version} and verified its ${expected.algorithm} integrity.`);
  }

  const installed: string[] = [];
  try {
    for (const [i, dist] of dists.entries()) {
      signal?.throwIfAborted();
      installed.push(await unpackPackage(tarballs[i], dist.name, version, layout.packageDir(dist.name), layout.base));
    }
  } catch (error) {
    throw toInstallError(error, signal);
  } finally {
    await removeAll(tarballs);
  }
  return installed;
}

/** Unpacks an npm tarball (`package/…`) into `target` through a temporary folder and one rename. */
async function unpackPackage(tarball: string, name: string, version: string, target: string, base: string): Promise<string> {
  const temp = await mkdtemp(path.join(base, ".unpack-"));
  try {
    await tar.x({
      file: tarball,
      cwd: temp,
      strict: true,
      // Plain files and folders only: no links that could point outside, no devices. tar already refuses `..` and
      // absolute paths.
      filter: (_path, entry) => "type" in entry && (entry.type === "File" || entry.type === "Directory"),
    });
    const packageDir = path.join(temp, "package");
    const manifest = await readManifest(packageDir);
    if (manifest?.name !== name || manifest.version !== version) {
      throw new GpuInstallError("unpack", `the tarball holds ${manifest?.name ?? "no package.json"}@${manifest?.version ?? "?"}, not ${name}@${version}`);
    }
    await mkdir(path.dirname(target), { recursive: true });
    // A previous copy is moved aside first, so the rename into place is one atomic step.
    const old = path.join(temp, "old");
    await rename(target, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(packageDir, target);
    return target;
  } catch (error) {
    if (error instanceof GpuInstallError) throw error;
    throw new GpuInstallError("unpack", `${name}@${version} could not be unpacked: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** `name` and `version` of a package folder's package.json (absent when missing, unreadable or not strings). */
async function readManifest(dir: string): Promise<{ name?: string; version?: string } | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const { name, version } = value as Record<string, unknown>;
    return { ...(typeof name === "string" ? { name } : {}), ...(typeof version === "string" ? { version } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * The binary packages installed for this node-llama-cpp version: a folder counts only when its package.json names
 * that package and that exact version.
 */
export async function installedGpuPackages(storageDir: string, version: string): Promise<string[]> {
  const layout = gpuStoreLayout(storageDir, version);
  const scopeDir = path.dirname(layout.packageDir("@node-llama-cpp/x"));
  const entries = await readdir(scopeDir).catch(() => [] as string[]);
  const names: string[] = [];
  for (const entry of entries.sort()) {
    const name = `@node-llama-cpp/${entry}`;
    const manifest = await readManifest(layout.packageDir(name));
    if (manifest?.name === name && manifest.version === version) names.push(name);
  }
  return names;
}

/** The node-llama-cpp version the extension ships (its package.json under `extensionPath`), which the packages must match. */
export async function bundledNodeLlamaCppVersion(extensionPath: string): Promise<string> {
  const manifest = await readManifest(path.join(extensionPath, "node_modules", "node-llama-cpp"));
  if (!manifest?.version) throw new GpuInstallError("registry", "the bundled node-llama-cpp has no readable version");
  return manifest.version;
}

/** What the child resolves from global storage: every package installed for `version` (none: `undefined`). */
export async function installedBinaryPackagesSpec(storageDir: string, version: string): Promise<{ root: string; names: string[] } | undefined> {
  const names = await installedGpuPackages(storageDir, version);
  return names.length > 0 ? { root: gpuStoreLayout(storageDir, version).root, names } : undefined;
}

/** Bytes on disk of every downloaded GPU package (all versions, partial downloads included); 0 when none. */
export async function downloadedGpuBytes(storageDir: string): Promise<number> {
  const sizeOf = async (file: string): Promise<number> => {
    const stat = await lstat(file).catch(() => undefined);
    if (!stat) return 0;
    if (!stat.isDirectory()) return stat.size;
    let total = 0;
    for (const entry of await readdir(file).catch(() => [] as string[])) total += await sizeOf(path.join(file, entry));
    return total;
  };
  return sizeOf(gpuStoreLayout(storageDir, "x").base);
}

/** Deletes every downloaded GPU package (all versions) and any partial download. */
export async function removeGpuPackages(storageDir: string): Promise<void> {
  await rm(gpuStoreLayout(storageDir, "x").base, { recursive: true, force: true });
}

function toInstallError(error: unknown, signal: AbortSignal | undefined): GpuInstallError {
  if (error instanceof GpuInstallError) return error;
  if (signal?.aborted || (error instanceof DownloadError && error.code === "cancelled")) return new GpuInstallError("cancelled", "the download was cancelled");
  if (error instanceof DownloadError) {
    const code: GpuInstallErrorCode = error.code === "hashMismatch" ? "integrity" : error.code === "diskFull" ? "diskFull" : "network";
    return new GpuInstallError(code, error.message);
  }
  return new GpuInstallError("unpack", error instanceof Error ? error.message : String(error));
}

async function removeAll(files: readonly string[]): Promise<void> {
  for (const file of files) await rm(file, { force: true });
}
