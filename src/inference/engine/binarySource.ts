/**
 * Which llama.cpp binary the child runs: the prebuilt package bundled with the extension, a GPU package downloaded
 * into global storage (resolved through ../binaryResolveHook.ts), or node-llama-cpp's local build.
 */
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { binaryPackagesFor, isBinaryPackageName, type ComputeBackend } from "../../core/gpu/binaryPackages.ts";
import type { BinaryResolution, BinaryResolveHookData } from "../binaryResolveHook.ts";
import type { BinaryInfo, BinaryPackagesSpec } from "../protocol.ts";

/** The redirected imports seen so far (specifier → file path), filled from the hook's port. */
export class BinaryResolutions {
  readonly resolved = new Map<string, string>();

  constructor(readonly spec: BinaryPackagesSpec) {}

  /** Lets the port's pending messages arrive (the hook posts before the import it resolved completes). */
  async settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Registers the resolve hook for `spec`'s packages. Throws when this Node has no `module.register` (before 20.6)
 * or a name is not one of node-llama-cpp's binary packages.
 */
export function registerBinaryPackages(spec: BinaryPackagesSpec, hookUrl: URL): BinaryResolutions {
  const bad = spec.names.filter((name) => !isBinaryPackageName(name));
  if (bad.length > 0) throw new Error(`not node-llama-cpp binary packages: ${bad.join(", ")}`);
  if (typeof register !== "function") throw new Error(`this Node (${process.version}) cannot register module hooks`);
  const resolutions = new BinaryResolutions(spec);
  const { port1, port2 } = new MessageChannel();
  port1.on("message", (message: BinaryResolution) => {
    if (typeof message?.specifier === "string" && typeof message.url === "string" && message.url.startsWith("file:")) {
      // The entry file → its package folder (`…/node_modules/@node-llama-cpp/<name>`).
      const file = fileURLToPath(message.url);
      const marker = path.join("node_modules", message.specifier);
      const at = file.lastIndexOf(marker);
      resolutions.resolved.set(message.specifier, at >= 0 ? file.slice(0, at + marker.length) : file);
    }
  });
  // The child must still exit when its IPC channel closes.
  port1.unref();
  const data: BinaryResolveHookData = { root: spec.root, names: [...spec.names], port: port2 };
  register(hookUrl, { data, transferList: [port2] });
  return resolutions;
}

/** Describes the binary in use from what node-llama-cpp reports and what the hook redirected. */
export function describeBinary(input: {
  readonly device: ComputeBackend;
  readonly buildType: "localBuild" | "prebuilt";
  readonly version: string;
  readonly platform: string;
  readonly arch: string;
  readonly resolutions: BinaryResolutions | null;
  /** The local build for this CPU that was loaded (its addon file), or why one that was asked for was not. */
  readonly localBuild?: { readonly path: string | null; readonly fallbackReason: string | null };
}): BinaryInfo {
  const localBuildFallbackReason = input.localBuild?.fallbackReason ?? null;
  if (input.buildType === "localBuild") return { source: "localBuild", package: null, location: input.localBuild?.path ?? null, localBuildFallbackReason };
  const name = binaryPackagesFor(input.platform, input.arch, input.device)?.[0] ?? null;
  const downloaded = name ? input.resolutions?.resolved.get(name) : undefined;
  return {
    source: downloaded ? "downloaded" : "bundled",
    package: name ? `${name}@${input.version}` : null,
    location: downloaded ?? null,
    localBuildFallbackReason,
  };
}

/** The downloaded packages the hook resolved (whatever became of them), for a fallback message. */
export function downloadedPackagesTried(resolutions: BinaryResolutions | null, version: string): string[] {
  return [...(resolutions?.resolved.keys() ?? [])].map((name) => `${name}@${version}`);
}
