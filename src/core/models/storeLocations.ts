/**
 * Where other tools keep GGUF models on each OS (see /work/shared/models-facts.md §3–5 for the sources), from an
 * injected platform, home folder and environment, so tests lay out fixture trees anywhere and every OS's rules are
 * tested on every OS. Paths are joined with the platform's separator; nothing here touches the disk.
 */
import type { ModelSource } from "../backend/modelRef.ts";

export type StoreKind = Exclude<ModelSource, "remote" | "catalog">;

export interface StoreRoot {
  readonly kind: StoreKind;
  readonly path: string;
  /** Why this folder is scanned, for logs and System Info ("OLLAMA_MODELS", "default"). */
  readonly reason: string;
}

export interface HostFacts {
  readonly platform: string;
  readonly home: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function separator(platform: string): string {
  return platform === "win32" ? "\\" : "/";
}

export function joinPath(platform: string, ...parts: string[]): string {
  const sep = separator(platform);
  return parts
    .filter((p) => p !== "")
    .map((p, i) => (i === 0 ? p.replace(/[\\/]+$/, "") || p : p.replace(/^[\\/]+|[\\/]+$/g, "")))
    .join(sep);
}

function set(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

/** `$XDG_CACHE_HOME`, else `~/.cache` (huggingface_hub and llama.cpp use it on Linux; HF also on macOS/Windows). */
function xdgCache(h: HostFacts): string {
  return set(h.env.XDG_CACHE_HOME) ?? joinPath(h.platform, h.home, ".cache");
}

export function ollamaRoots(h: HostFacts): StoreRoot[] {
  const fromEnv = set(h.env.OLLAMA_MODELS);
  if (fromEnv) return [{ kind: "ollama", path: fromEnv, reason: "OLLAMA_MODELS" }];
  const roots: StoreRoot[] = [{ kind: "ollama", path: joinPath(h.platform, h.home, ".ollama", "models"), reason: "default" }];
  // The Linux service runs as the `ollama` user with this home (docs/faq.mdx).
  if (h.platform === "linux") roots.push({ kind: "ollama", path: "/usr/share/ollama/.ollama/models", reason: "Linux service" });
  return roots;
}

export function lmStudioRoots(h: HostFacts): StoreRoot[] {
  return [
    { kind: "lmstudio", path: joinPath(h.platform, h.home, ".lmstudio", "models"), reason: "default" },
    { kind: "lmstudio", path: joinPath(h.platform, h.home, ".cache", "lm-studio", "models"), reason: "older default" },
  ];
}

export function hfHubRoots(h: HostFacts): StoreRoot[] {
  const hub = set(h.env.HF_HUB_CACHE) ?? set(h.env.HUGGINGFACE_HUB_CACHE);
  if (hub) return [{ kind: "hf-cache", path: hub, reason: set(h.env.HF_HUB_CACHE) ? "HF_HUB_CACHE" : "HUGGINGFACE_HUB_CACHE" }];
  const hfHome = set(h.env.HF_HOME);
  return [{ kind: "hf-cache", path: joinPath(h.platform, hfHome ?? joinPath(h.platform, xdgCache(h), "huggingface"), "hub"), reason: hfHome ? "HF_HOME" : "default" }];
}

export function llamaCacheRoots(h: HostFacts): StoreRoot[] {
  const fromEnv = set(h.env.LLAMA_CACHE);
  if (fromEnv) return [{ kind: "llama-cache", path: fromEnv, reason: "LLAMA_CACHE" }];
  let dir: string;
  if (h.platform === "darwin") dir = joinPath(h.platform, h.home, "Library", "Caches", "llama.cpp");
  else if (h.platform === "win32") dir = joinPath(h.platform, set(h.env.LOCALAPPDATA) ?? joinPath(h.platform, h.home, "AppData", "Local"), "llama.cpp");
  else dir = joinPath(h.platform, xdgCache(h), "llama.cpp");
  return [{ kind: "llama-cache", path: dir, reason: "default" }];
}

/** Every other tool's store, in the order the list shows them. */
export function otherToolRoots(h: HostFacts): StoreRoot[] {
  return [...ollamaRoots(h), ...lmStudioRoots(h), ...hfHubRoots(h), ...llamaCacheRoots(h)];
}
