/**
 * A model, wherever it comes from. Everything above the inference child speaks of models as `ModelRef`s; only a
 * backend turns one into something it can load (a local backend reads `path`, a remote one names `remoteModel` on
 * `endpoint`). A model source (a file picked from disk, a catalog download, Ollama's or LM Studio's store, the
 * Hugging Face cache, a server's model list) is a small module that lists `ModelRef`s.
 */

/** What a loaded model is used for. */
export type ModelRole = "completion" | "chat";
export const MODEL_ROLES: readonly ModelRole[] = ["completion", "chat"];

export type ModelSource = "file" | "catalog" | "ollama" | "lmstudio" | "hf-cache" | "llama-cache" | "remote";

export interface ModelRef {
  /** Stable identity: equal ids are the same model (`file:/abs/path.gguf`, `remote:http://host:8080#qwen`). */
  readonly id: string;
  readonly source: ModelSource;
  /** Short name for the UI (a file name, a catalog or server model name). */
  readonly label: string;
  /** The GGUF file on this machine, for every source but `remote`. */
  readonly path?: string;
  /** Base URL of the server, for `remote`. */
  readonly endpoint?: string;
  /** The server's name of the model, for `remote`. */
  readonly remoteModel?: string;
}

/** The last path segment, with either separator (Windows paths come through settings too). */
function baseName(filePath: string): string {
  const parts = filePath.split(/[\\/]/);
  return parts[parts.length - 1] || filePath;
}

/** A GGUF file on this machine; `source` says which store it was found in (a path setting is `file`). */
export function localModelRef(filePath: string, source: Exclude<ModelSource, "remote"> = "file", label?: string): ModelRef {
  return { id: `file:${filePath}`, source, label: label ?? baseName(filePath), path: filePath };
}

/** A model served by a remote server. */
export function remoteModelRef(endpoint: string, remoteModel: string): ModelRef {
  // The label is the name's last segment: llama-server names a model by its file path.
  return { id: `remote:${endpoint}#${remoteModel}`, source: "remote", label: baseName(remoteModel) || remoteModel, endpoint, remoteModel };
}

/** The model a path setting names (an empty setting names none); `known`: the store it was picked from, and its name there. */
export function modelRefFromSetting(filePath: string, known?: { readonly label: string; readonly source: Exclude<ModelSource, "remote"> }): ModelRef | undefined {
  return filePath.trim() === "" ? undefined : localModelRef(filePath, known?.source ?? "file", known?.label);
}

export function sameModel(a: ModelRef | undefined, b: ModelRef | undefined): boolean {
  return a?.id === b?.id;
}
