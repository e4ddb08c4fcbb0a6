/**
 * Finds GGUF models on this machine: in plain folders (the extension's models folder, the user's folders) and in
 * other tools' stores (Ollama manifests → blobs, LM Studio's publisher/model folders, the Hugging Face hub cache,
 * llama.cpp's cache). Files are used in place, never copied. Everything goes through `DiscoveryFs`, so tests run
 * on fixture trees; every candidate file gets the header check (stat first, non-blocking, time-limited) and a file
 * that is not a usable GGUF is skipped with a log line, never listed.
 */
import { joinPath, type StoreKind, type StoreRoot } from "./storeLocations.ts";

export interface DirEntry {
  readonly name: string;
  /** After following symlinks (a hub snapshot's files are links to blobs). */
  readonly kind: "file" | "dir" | "other";
}

export interface DiscoveryFs {
  readonly platform: string;
  /** Entries of a folder; a missing or unreadable folder is `[]`. */
  list(dir: string): Promise<readonly DirEntry[]>;
  /** A small text file (a manifest); undefined when it cannot be read or is larger than `maxBytes`. */
  readText(file: string, maxBytes: number): Promise<string | undefined>;
  /** `ok` or why the file is not a usable GGUF (see ggufHeader.ts). */
  checkHeader(file: string): Promise<string>;
  size(file: string): Promise<number | undefined>;
}

export interface DiscoveredModel {
  readonly path: string;
  readonly source: StoreKind;
  /** What the user knows it as: `qwen2.5-coder:1.5b` (Ollama), `org/repo/file.gguf` (HF), a file name. */
  readonly label: string;
  readonly sizeBytes: number;
  /** The folder it was found under. */
  readonly root: string;
}

export interface DiscoveryOptions {
  /** Called once per skipped file or bad manifest, with a reason (metadata only). */
  readonly onSkip?: (path: string, reason: string) => void;
  readonly signal?: AbortSignal;
  /** Most entries looked at per root, so a huge folder cannot stall the list. Default 5,000. */
  readonly maxEntriesPerRoot?: number;
}

const SPLIT_PART = /-(\d{5})-of-(\d{5})\.gguf$/i;

function isGgufName(name: string): boolean {
  return name.toLowerCase().endsWith(".gguf");
}

/** Names that are GGUF but not a text model to load (vision projectors), or a later part of a split model. */
function notAModel(name: string): string | undefined {
  if (/^mmproj/i.test(name)) return "a vision projector, not a model";
  const split = SPLIT_PART.exec(name);
  if (split && split[1] !== "00001") return "a later part of a split model (the first part is listed)";
  return undefined;
}

class Scan {
  readonly found: DiscoveredModel[] = [];
  private entries = 0;
  constructor(
    readonly fs: DiscoveryFs,
    readonly options: DiscoveryOptions,
  ) {}

  join(...parts: string[]): string {
    return joinPath(this.fs.platform, ...parts);
  }

  async list(dir: string): Promise<readonly DirEntry[]> {
    this.options.signal?.throwIfAborted();
    const entries = await this.fs.list(dir);
    this.entries += entries.length;
    const max = this.options.maxEntriesPerRoot ?? 5_000;
    return this.entries > max ? entries.slice(0, Math.max(0, max - (this.entries - entries.length))) : entries;
  }

  resetBudget(): void {
    this.entries = 0;
  }

  skip(path: string, reason: string): void {
    this.options.onSkip?.(path, reason);
  }

  /** Adds `path` when its header is a GGUF one; otherwise logs why not. */
  async consider(path: string, root: StoreRoot, label: string): Promise<void> {
    const check = await this.fs.checkHeader(path);
    if (check !== "ok") return this.skip(path, check);
    const sizeBytes = (await this.fs.size(path)) ?? 0;
    this.found.push({ path, source: root.kind, label, sizeBytes, root: root.path });
  }

  /** Every `.gguf` under `dir`, `depth` folders down at most. */
  async walk(dir: string, root: StoreRoot, depth: number, label: (name: string, path: string) => string): Promise<void> {
    for (const entry of await this.list(dir)) {
      const path = this.join(dir, entry.name);
      if (entry.kind === "dir" && depth > 0 && !entry.name.startsWith(".")) await this.walk(path, root, depth - 1, label);
      else if (entry.kind === "file" && isGgufName(entry.name)) {
        const why = notAModel(entry.name);
        if (why) this.skip(path, why);
        else await this.consider(path, root, label(entry.name, path));
      } else if (entry.kind === "other" && isGgufName(entry.name)) this.skip(path, "notRegularFile");
    }
  }
}

async function scanFolder(scan: Scan, root: StoreRoot): Promise<void> {
  await scan.walk(root.path, root, 4, (name) => name);
}

/** Ollama: manifests/<host>/<namespace>/<model>/<tag> → the `application/vnd.ollama.image.model` layer's blob. */
async function scanOllama(scan: Scan, root: StoreRoot): Promise<void> {
  const manifests = scan.join(root.path, "manifests");
  for (const host of await scan.list(manifests)) {
    if (host.kind !== "dir") continue;
    for (const ns of await scan.list(scan.join(manifests, host.name))) {
      if (ns.kind !== "dir") continue;
      for (const model of await scan.list(scan.join(manifests, host.name, ns.name))) {
        if (model.kind !== "dir") continue;
        for (const tag of await scan.list(scan.join(manifests, host.name, ns.name, model.name))) {
          if (tag.kind !== "file") continue;
          const manifestPath = scan.join(manifests, host.name, ns.name, model.name, tag.name);
          const digest = modelLayerDigest(await scan.fs.readText(manifestPath, 1 << 20));
          if (!digest) {
            scan.skip(manifestPath, "not an Ollama manifest with a model layer");
            continue;
          }
          const prefix = host.name === "registry.ollama.ai" ? (ns.name === "library" ? "" : `${ns.name}/`) : `${host.name}/${ns.name}/`;
          const blob = scan.join(root.path, "blobs", digest.replace(":", "-"));
          await scan.consider(blob, root, `${prefix}${model.name}:${tag.name}`);
        }
      }
    }
  }
}

/** The digest (`sha256:<hex>`) of an Ollama manifest's weights layer, or undefined. */
export function modelLayerDigest(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const manifest = JSON.parse(text) as { layers?: unknown };
    if (!Array.isArray(manifest.layers)) return undefined;
    for (const layer of manifest.layers as { mediaType?: unknown; digest?: unknown }[]) {
      if (layer?.mediaType === "application/vnd.ollama.image.model" && typeof layer.digest === "string" && /^sha256:[0-9a-f]{64}$/.test(layer.digest)) {
        return layer.digest;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** LM Studio: <root>/<publisher>/<model>/<file>.gguf, exactly two folders deep. */
async function scanLmStudio(scan: Scan, root: StoreRoot): Promise<void> {
  for (const publisher of await scan.list(root.path)) {
    if (publisher.kind !== "dir" || publisher.name.startsWith(".")) continue;
    for (const model of await scan.list(scan.join(root.path, publisher.name))) {
      if (model.kind !== "dir") continue;
      const dir = scan.join(root.path, publisher.name, model.name);
      await scan.walk(dir, root, 0, (name) => `${publisher.name}/${model.name}/${name}`);
    }
  }
}

/** HF hub: models--<org>--<name>/snapshots/<commit>/<path>.gguf (links into blobs/). */
async function scanHfHub(scan: Scan, root: StoreRoot): Promise<void> {
  for (const repo of await scan.list(root.path)) {
    if (repo.kind !== "dir" || !repo.name.startsWith("models--")) continue;
    const repoId = repo.name.slice("models--".length).split("--").join("/");
    const snapshots = scan.join(root.path, repo.name, "snapshots");
    for (const commit of await scan.list(snapshots)) {
      if (commit.kind !== "dir") continue;
      await scan.walk(scan.join(snapshots, commit.name), root, 3, (name) => `${repoId}/${name}`);
    }
  }
}

/** llama.cpp: legacy flat `<owner>_<repo>_<file>.gguf` files, and the hub layout (newer versions) in the same root. */
async function scanLlamaCache(scan: Scan, root: StoreRoot): Promise<void> {
  await scan.walk(root.path, root, 0, (name) => name);
  await scanHfHub(scan, root);
}

const SCANNERS: Record<StoreKind, (scan: Scan, root: StoreRoot) => Promise<void>> = {
  file: scanFolder,
  ollama: scanOllama,
  lmstudio: scanLmStudio,
  "hf-cache": scanHfHub,
  "llama-cache": scanLlamaCache,
};

/** Lists the models under every root, in root order, each path once. */
export async function discoverModels(fs: DiscoveryFs, roots: readonly StoreRoot[], options: DiscoveryOptions = {}): Promise<DiscoveredModel[]> {
  const scan = new Scan(fs, options);
  for (const root of roots) {
    scan.resetBudget();
    await SCANNERS[root.kind](scan, root);
  }
  const seen = new Set<string>();
  return scan.found.filter((m) => (seen.has(m.path) ? false : (seen.add(m.path), true)));
}
