/**
 * A module resolve hook (bundled to dist/inference/binaryResolveHook.mjs, registered by the child with
 * `module.register` before it calls `getLlama`). node-llama-cpp finds its prebuilt binaries with
 * `import("@node-llama-cpp/<platform>-<arch>[-<gpu>]")`; for the names given here that import is resolved from the
 * `node_modules` tree the host downloaded into global storage instead of the extension's own `node_modules`.
 * `NODE_PATH` cannot do this: ESM resolution ignores it. Each redirected resolution is reported on `port`, so the
 * child knows which binary it really loaded.
 *
 * Runs on Node's loader thread: no state shared with the child except `data` and the port.
 */
import type { InitializeHook, ResolveHook } from "node:module";
import { pathToFileURL } from "node:url";
import type { MessagePort } from "node:worker_threads";

export interface BinaryResolveHookData {
  /** The folder holding `node_modules/@node-llama-cpp/...`. */
  readonly root: string;
  /** Package names resolved from `root` (never anything else). */
  readonly names: readonly string[];
  readonly port: MessagePort;
}

/** What the hook reports on the port for each redirected import. */
export interface BinaryResolution {
  readonly specifier: string;
  readonly url: string;
}

let parentURL = "";
let names = new Set<string>();
let port: MessagePort | undefined;

export const initialize: InitializeHook<BinaryResolveHookData> = (data) => {
  // The parent is a file directly inside `root`, so Node looks in `root/node_modules` first, as for any project.
  parentURL = pathToFileURL(`${data.root.replace(/[\\/]+$/, "")}/package.json`).href;
  names = new Set(data.names);
  port = data.port;
};

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  if (!names.has(specifier)) return nextResolve(specifier, context);
  // A package missing there fails to resolve (node-llama-cpp then reports no binary): never the bundled one instead.
  const result = await nextResolve(specifier, { ...context, parentURL });
  port?.postMessage({ specifier, url: result.url } satisfies BinaryResolution);
  return result;
};
