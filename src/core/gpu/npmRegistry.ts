/**
 * Reading an npm registry's answer for one package version, and the SRI string npm publishes for its tarball. Pure:
 * the HTTP request and the hashing live in src/extension/gpu. Every field comes from the network, so each one is
 * checked and a bad answer gives one clear error instead of a download of the wrong thing.
 */

export type RegistryErrorCode = "badMetadata" | "versionMissing" | "badIntegrity";

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

/** The default registry; a setting may name a mirror with the same API. */
export const DEFAULT_NPM_REGISTRY = "https://registry.npmjs.org";

/**
 * The URL of `name`'s packument (all versions). Scoped names escape their `/` as the npm client does
 * (`@scope%2fname`), which every registry and mirror accepts. The abbreviated form is asked for with
 * {@link PACKUMENT_ACCEPT}.
 */
export function packumentUrl(registry: string, name: string): string {
  const base = new URL(registry.trim());
  if (base.protocol !== "https:" && base.protocol !== "http:") throw new RegistryError("badMetadata", `the registry URL must be http(s): ${registry}`);
  return `${base.toString().replace(/\/+$/, "")}/${name.replace("/", "%2f")}`;
}

/** npm's "corgi" document: only what installing needs (a few KB per version instead of the READMEs). */
export const PACKUMENT_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8";

export interface VersionDist {
  readonly name: string;
  readonly version: string;
  readonly tarball: string;
  /** The SRI string as published, e.g. `sha512-…`. */
  readonly integrity: string;
  readonly unpackedSize?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `dist` of `version` from a packument (or from a single version document); throws `RegistryError`. */
export function parseVersionDist(document: unknown, name: string, version: string): VersionDist {
  if (!isRecord(document)) throw new RegistryError("badMetadata", `the registry's answer for ${name} is not a JSON object`);
  if (typeof document.name === "string" && document.name !== name) {
    throw new RegistryError("badMetadata", `the registry answered for ${document.name}, not ${name}`);
  }
  // A packument lists versions; a version document is the version itself.
  let entry: unknown = document;
  if ("versions" in document) {
    if (!isRecord(document.versions)) throw new RegistryError("badMetadata", `the registry's answer for ${name} has no version list`);
    entry = document.versions[version];
    if (entry === undefined) throw new RegistryError("versionMissing", `the registry has no ${name}@${version}`);
  }
  if (!isRecord(entry) || !isRecord(entry.dist)) throw new RegistryError("badMetadata", `${name}@${version} has no "dist" in the registry's answer`);
  if (typeof entry.version === "string" && entry.version !== version) {
    throw new RegistryError("badMetadata", `the registry answered with ${name}@${entry.version}, not ${version}`);
  }
  const { tarball, integrity, unpackedSize } = entry.dist;
  if (typeof tarball !== "string") throw new RegistryError("badMetadata", `${name}@${version} has no tarball URL`);
  let url: URL;
  try {
    url = new URL(tarball);
  } catch {
    throw new RegistryError("badMetadata", `${name}@${version} has an invalid tarball URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new RegistryError("badMetadata", `${name}@${version}'s tarball URL is not http(s)`);
  if (typeof integrity !== "string") throw new RegistryError("badIntegrity", `${name}@${version} has no "integrity" (SRI) in the registry's answer`);
  parseIntegrity(integrity);
  return {
    name,
    version,
    tarball: url.toString(),
    integrity,
    ...(typeof unpackedSize === "number" && Number.isSafeInteger(unpackedSize) && unpackedSize > 0 ? { unpackedSize } : {}),
  };
}

export type SriAlgorithm = "sha512" | "sha384" | "sha256";
const STRENGTH: Readonly<Record<SriAlgorithm, number>> = { sha256: 1, sha384: 2, sha512: 3 };
const DIGEST_BYTES: Readonly<Record<SriAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };

export interface SriHash {
  readonly algorithm: SriAlgorithm;
  /** The expected digest, base64. */
  readonly digest: string;
}

/**
 * The strongest hash of an SRI string (`sha512-<base64> sha1-…`; options after `?` ignored). SHA-1 alone is
 * refused: it no longer proves that a file is the published one.
 */
export function parseIntegrity(sri: string): SriHash {
  let best: SriHash | undefined;
  for (const token of sri.trim().split(/\s+/)) {
    const match = /^(sha512|sha384|sha256)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(token);
    if (!match) continue;
    const algorithm = match[1] as SriAlgorithm;
    const digest = match[2];
    // base64 length of the digest: 4 * ceil(bytes / 3).
    if (digest.length !== 4 * Math.ceil(DIGEST_BYTES[algorithm] / 3)) continue;
    if (!best || STRENGTH[algorithm] > STRENGTH[best.algorithm]) best = { algorithm, digest };
  }
  if (!best) throw new RegistryError("badIntegrity", `no usable SHA-2 hash in the integrity string "${sri.slice(0, 40)}"`);
  return best;
}

/** Whether a computed digest (base64) matches the expected one. */
export function integrityMatches(expected: SriHash, computedBase64: string): boolean {
  return expected.digest === computedBase64;
}
