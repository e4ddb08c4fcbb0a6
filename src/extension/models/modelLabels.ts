/**
 * What the user calls a model found in another tool's store, kept per file path. An Ollama model's file is a blob
 * named by its hash (`sha256-3f1c…`), and the settings keep only the path: without this the status bar and the chat
 * would name the model by that hash. Remembered when a discovered model is picked (global state, so it survives a
 * reload); a path picked any other way keeps its file name.
 */
import type * as vscode from "vscode";
import { modelRefFromSetting, type ModelRef } from "../../core/backend/index.ts";
import type { StoreKind } from "../../core/models/storeLocations.ts";

const KEY = "privateCoder.modelLabels";
/** Enough for every model a user switches between; the oldest go first. */
const MAX_ENTRIES = 64;

export interface KnownModel {
  readonly label: string;
  readonly source: StoreKind;
}

type Stored = Record<string, KnownModel>;

function knownModel(state: vscode.Memento, filePath: string): KnownModel | undefined {
  if (!filePath) return undefined;
  const entry = state.get<Stored>(KEY)?.[filePath];
  return entry && typeof entry.label === "string" && typeof entry.source === "string" ? entry : undefined;
}

/** The model a path setting names, under the name it was picked by (undefined for an empty setting). */
export function configuredModel(state: vscode.Memento, filePath: string): ModelRef | undefined {
  return modelRefFromSetting(filePath, knownModel(state, filePath));
}

export async function rememberModel(state: vscode.Memento, filePath: string, known: KnownModel): Promise<void> {
  const entries = Object.entries(state.get<Stored>(KEY) ?? {}).filter(([p]) => p !== filePath);
  entries.push([filePath, { label: known.label, source: known.source }]);
  await state.update(KEY, Object.fromEntries(entries.slice(-MAX_ENTRIES)));
}
