/**
 * Loads the node-llama-cpp addon built for this CPU (src/inference/tools/engineBuild.ts) as a `Llama`.
 *
 * `getLlama` looks for local builds only inside node-llama-cpp's own package folder (`llama/localBuilds/<name>`, the
 * installed extension's folder), so for a build cached outside the extension we make the call `getLlama` itself makes
 * for a local build: require the `.node` file and hand it to node-llama-cpp's `Llama._create` factory (internal API,
 * node-llama-cpp 3.22.x; checked at run time, so a future version without it falls back to the prebuilt with a
 * reason instead of failing).
 *
 * Before loading, the build's BUILD_INFO.json must name this node-llama-cpp version (the addon's functions must match
 * the JavaScript that calls them) and this CPU (a `-march=native` binary on another CPU dies of an illegal instruction,
 * which no try/catch catches). Everything else that can go wrong at load (a corrupt file) is an exception here, and
 * the caller falls back to the prebuilt.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { getModuleVersion, Llama, type LlamaLogLevel } from "node-llama-cpp";
import { cpuIdentity, ENGINE_BUILD_INFO_FILE, type EngineBuildInfo } from "../tools/engineBuild.ts";
import { nodeLlamaCppDir } from "../tools/nodeLlamaCppDir.ts";

export interface LocalLlamaOptions {
  readonly logLevel: LlamaLogLevel;
  readonly logger: (level: LlamaLogLevel, message: string) => void;
  readonly maxThreads: number;
}

type LlamaFactory = (options: Record<string, unknown>) => Promise<Llama>;

/** node-llama-cpp's RAM padding for Linux and the others (getLlama's `defaultLlamaRamPadding`). */
function ramPadding(totalRam: number): number {
  const cap = process.platform === "linux" ? 1 : 6;
  return Math.floor(Math.min(totalRam * 0.25, cap * 1024 ** 3));
}

/** Throws with a reason the user can read when the build cannot be used here. */
export async function loadLocalLlama(addonPath: string, options: LocalLlamaOptions): Promise<Llama> {
  if (!path.isAbsolute(addonPath) || !existsSync(addonPath)) throw new Error(`the local build ${addonPath} does not exist`);
  let info: EngineBuildInfo;
  try {
    info = JSON.parse(readFileSync(path.join(path.dirname(addonPath), ENGINE_BUILD_INFO_FILE), "utf8")) as EngineBuildInfo;
  } catch {
    throw new Error(`the local build has no readable ${ENGINE_BUILD_INFO_FILE}`);
  }
  const version = await getModuleVersion();
  if (info.nodeLlamaCpp !== version) throw new Error(`the local build is for node-llama-cpp ${info.nodeLlamaCpp}, this is ${version}; optimize again`);
  if (info.cpuKey !== cpuIdentity().key) throw new Error("the local build was made for another CPU; optimize again");
  const create = (Llama as unknown as { _create?: LlamaFactory })._create;
  if (typeof create !== "function") throw new Error(`node-llama-cpp ${version} has no Llama._create; the local build cannot be loaded`);
  const bindings: unknown = createRequire(import.meta.url)(addonPath);
  let release = "local";
  try {
    release = (JSON.parse(readFileSync(path.join(nodeLlamaCppDir(), "llama", "binariesGithubRelease.json"), "utf8")) as { release: string }).release;
  } catch {
    // the tag is for display only
  }
  return create.call(Llama, {
    bindings,
    bindingPath: addonPath,
    buildType: "localBuild",
    buildMetadata: { buildOptions: { customCmakeOptions: info.cmakeOptions, llamaCpp: { repo: "ggml-org/llama.cpp", release }, gpu: false } },
    logLevel: options.logLevel,
    logger: options.logger,
    maxThreads: options.maxThreads,
    vramPadding: 0,
    ramPadding,
    debug: false,
    numa: false,
    tempDir: false,
  });
}
