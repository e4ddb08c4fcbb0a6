/**
 * Backend and engine errors in the user's language. The engine writes its error messages in English for the log;
 * what the user reads is made here from the error's machine-readable `code` (see `EngineErrorCode`) and its
 * `details` (file name, sizes, architecture...). An error without a known code (a message written for the user
 * already, such as "No chat model is selected") is shown as it is.
 *
 * Only a type comes from `vscode`: callers pass `vscode.l10n`, the unit tests a stand-in, so the mapping runs
 * without an editor. (The type import also lets `npm run l10n:export` find the `l10n.t("…")` calls below.)
 */
import type * as vscode from "vscode";
import path from "node:path";
import type { BackendStatus, ModelFacts } from "../core/backend/index.ts";
import { EngineErrorCode } from "../inference/protocol.ts";
import { describeRemoteError } from "./remote/remoteMessages.ts";

/** What the messages need of `vscode.l10n`. */
export type L10n = Pick<typeof vscode.l10n, "t">;

/** Host-side codes of errors that reach the user (beside the engine's `EngineErrorCode`). */
export const HostErrorCode = {
  /** The chat message and its attachments do not fit the model's context window (`details.contextTokens`). */
  MessageTooLong: "messageTooLong",
} as const;

type Details = Readonly<Record<string, unknown>>;

/** A sentence (or two) for the user saying what went wrong, in the UI language. */
export function describeError(error: unknown, l10n: L10n): string {
  const raw = rawMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return raw;
  const details: Details = detailsOf(error);
  const name = typeof details.path === "string" && details.path !== "" ? path.basename(details.path) : undefined;
  switch (code) {
    case EngineErrorCode.ModelMissing:
      return name ? l10n.t("The model file {0} was not found, or it is not a file.", name) : raw;
    case EngineErrorCode.ModelEmpty:
      return name ? l10n.t("The model file {0} is empty.", name) : raw;
    case EngineErrorCode.ModelTruncated: {
      if (!name) return raw;
      const { fileSize, expectedSize } = details;
      if (typeof fileSize === "number" && typeof expectedSize === "number") {
        return l10n.t(
          "The model file {0} is incomplete: it has {1}, its header needs at least {2}. Was the download interrupted? Download it again.",
          name,
          formatBytes(fileSize, l10n),
          formatBytes(expectedSize, l10n),
        );
      }
      return l10n.t("The model file {0} is truncated or damaged. Download it again.", name);
    }
    case EngineErrorCode.ModelBadMagic:
      return name ? l10n.t("{0} is not a GGUF model file.", name) : raw;
    case EngineErrorCode.ModelUnsupportedVersion:
      if (!name) return raw;
      return typeof details.version === "number"
        ? l10n.t("{0} is a GGUF version {1} file; Private Coder reads GGUF versions 2 and 3.", name, details.version)
        : l10n.t("{0} uses a GGUF version Private Coder cannot read.", name);
    case EngineErrorCode.ModelUnsupportedArchitecture:
      if (!name) return raw;
      return typeof details.architecture === "string" && details.architecture !== ""
        ? l10n.t("{0} uses the model architecture \"{1}\", which the bundled llama.cpp does not support.", name, details.architecture)
        : l10n.t("{0} uses a model architecture the bundled llama.cpp does not support.", name);
    case EngineErrorCode.ModelLoadFailed:
      if (!name) return raw;
      return typeof details.reason === "string" && details.reason !== ""
        ? l10n.t("{0} could not be loaded (llama.cpp: {1}).", name, details.reason)
        : l10n.t("{0} could not be loaded. The log has the details (Private Coder: Show Logs).", name);
    case EngineErrorCode.InsufficientMemory: {
      const { neededRam, freeRam, contextSize } = details;
      if (name && typeof neededRam === "number" && typeof freeRam === "number" && typeof contextSize === "number") {
        return l10n.t(
          "Not enough memory for {0} with a {1}-token context: it needs about {2} of RAM, {3} is free. Choose a smaller model, or a smaller context size (`privateCoder.engine.contextSize`).",
          name,
          contextSize,
          formatBytes(neededRam, l10n),
          formatBytes(freeRam, l10n),
        );
      }
      return name
        ? l10n.t("Not enough memory to load {0}. Choose a smaller model, or a smaller context size (`privateCoder.engine.contextSize`).", name)
        : l10n.t("Not enough memory to load the model. Choose a smaller model, or a smaller context size (`privateCoder.engine.contextSize`).");
    }
    case EngineErrorCode.NotLoaded:
      return l10n.t("The model is not loaded (it was unloaded or replaced). Try again.");
    case EngineErrorCode.NotInitialized:
      return l10n.t("The engine is not ready yet. Try again.");
    case EngineErrorCode.Cancelled:
      return l10n.t("The request was cancelled.");
    case EngineErrorCode.Superseded:
      return l10n.t("The request was replaced by a newer one.");
    case EngineErrorCode.Crashed:
      return describeCrash(numberOrNull(details.exitCode), stringOrNull(details.signal), l10n);
    case EngineErrorCode.StartFailed:
      return l10n.t("The Private Coder engine could not start. The log has the details (Private Coder: Show Logs).");
    case EngineErrorCode.BreakerOpen: {
      const { crashes } = details;
      if (typeof crashes !== "number") return l10n.t("The Private Coder engine crashed repeatedly and was stopped. Run Private Coder: Restart Engine to start it again.");
      return l10n.t("The Private Coder engine crashed {0} times and was stopped. Run Private Coder: Restart Engine to start it again.", crashes);
    }
    case EngineErrorCode.Disposed:
      return l10n.t("The Private Coder engine was shut down.");
    case HostErrorCode.MessageTooLong:
      return typeof details.contextTokens === "number"
        ? l10n.t("The message and its attachments are too long for the model's context window ({0} tokens). Attach less, or select a smaller part.", details.contextTokens)
        : l10n.t("The message and its attachments are too long for the model's context window. Attach less, or select a smaller part.");
    default:
      // Remote servers' codes; `invalidParams`, `internal` and unknown codes: the message is all there is.
      return describeRemoteError(code, details, l10n) ?? raw;
  }
}

/** The engine process ended unexpectedly: by a signal, with an exit code, or neither known. */
export function describeCrash(exitCode: number | null, signal: string | null, l10n: L10n): string {
  if (signal) return l10n.t("The engine stopped unexpectedly (signal {0}).", signal);
  if (exitCode !== null) return l10n.t("The engine stopped unexpectedly (exit code {0}).", exitCode);
  return l10n.t("The engine stopped unexpectedly.");
}

/** A byte count for people: bytes, MiB or GiB. */
export function formatBytes(bytes: number, l10n: L10n): string {
  if (bytes < 2 ** 20) return l10n.t("{0} bytes", Math.round(bytes));
  if (bytes < 2 ** 30) return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

function rawMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function detailsOf(error: unknown): Details {
  const details = (error as { details?: unknown }).details;
  return details !== null && typeof details === "object" ? (details as Details) : {};
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** Why a file may not reach the model, in the user's language (the safety filter's English reason otherwise). */
export function describeExclusion(result: { readonly reason?: string; readonly exclusion?: { readonly pattern?: string; readonly source?: string; readonly ignoreFile?: string } }, l10n: L10n): string | undefined {
  const { pattern, source, ignoreFile } = result.exclusion ?? {};
  if (pattern === undefined) return result.reason;
  switch (source) {
    case "default":
      return l10n.t('excluded by the built-in pattern "{0}"', pattern);
    case "setting":
      return l10n.t('excluded by the privateCoder.safety.excludedPaths pattern "{0}"', pattern);
    case "ignore-file":
      return l10n.t('excluded by the pattern "{0}" of {1}', pattern, ignoreFile ?? ".privatecoderignore");
    default:
      return result.reason;
  }
}

/** How a model runs, in the user's language: one line per fact group (the model status tooltip). */
export function describeModelFacts(model: { readonly contextSize: number; readonly fimSupported: boolean; readonly facts: ModelFacts }, l10n: L10n): string[] {
  const f = model.facts;
  const lines: string[] = [];
  lines.push(f.architecture ? l10n.t("{0}, context {1} tokens", f.architecture, model.contextSize) : l10n.t("context {0} tokens", model.contextSize));
  if (f.threads !== undefined) {
    const source = f.threadsSource === "measured" ? l10n.t("measured") : f.threadsSource === "cached" ? l10n.t("remembered") : l10n.t("set in the settings");
    const gpu = f.gpuLayers !== undefined && f.gpuLayers > 0 ? l10n.t(", {0} layers on the GPU", f.gpuLayers) : "";
    lines.push(f.threads === 1 ? l10n.t("{0}, 1 thread ({1}){2}", f.device ?? "cpu", source, gpu) : l10n.t("{0}, {1} threads ({2}){3}", f.device ?? "cpu", f.threads, source, gpu));
  }
  const fim = model.fimSupported ? l10n.t("fill-in-the-middle supported") : l10n.t("no fill-in-the-middle (completion sees only the code before the cursor)");
  lines.push(f.fileBytes !== undefined ? l10n.t("file {0}, {1}", formatBytes(f.fileBytes, l10n), fim) : fim);
  if (f.state === "idleUnloaded") lines.push(l10n.t("unloaded after inactivity; it reloads on next use"));
  if (f.speculative) lines.push(l10n.t("completions: {0}", describeSpeculative(f.speculative, l10n)));
  if (f.speculativeEdits) lines.push(l10n.t("edits: {0}", describeSpeculative(f.speculativeEdits, l10n)));
  return lines;
}

/** Speculative decoding on completions or edits: always on, or what `auto` measured and chose. */
function describeSpeculative(s: NonNullable<ModelFacts["speculative"]>, l10n: L10n): string {
  const speed = (x: number | null) => (x === null ? "–" : String(x));
  switch (s.choice) {
    case "always":
      return l10n.t("speculative decoding on");
    case "measuring":
      return l10n.t("speculative decoding: measuring which is faster");
    case "drafting":
      return l10n.t("speculative decoding on: faster here ({0} vs {1} tokens/s)", speed(s.draftingTokensPerSecond), speed(s.plainTokensPerSecond));
    case "plain":
      return l10n.t("speculative decoding off: slower here ({0} vs {1} tokens/s)", speed(s.draftingTokensPerSecond), speed(s.plainTokensPerSecond));
  }
}

/** Which native binary the local engine runs: prebuilt, a downloaded GPU binary or the build for this CPU, and why not the local build. */
export function describeEngineBinary(binary: NonNullable<BackendStatus["facts"]["binary"]>, l10n: L10n): string {
  const text =
    binary.source === "localBuild"
      ? l10n.t("engine built for this CPU")
      : binary.source === "downloaded"
        ? l10n.t("GPU binary {0}, downloaded to {1}", binary.package ?? "", binary.location ?? "")
        : l10n.t("prebuilt engine");
  return binary.localBuildFallbackReason ? l10n.t("{0} (the build for this CPU was not used: {1})", text, binary.localBuildFallbackReason) : text;
}

/** What "Show Engine Status" says of a backend, in the user's language. */

export function describeBackendStatus(status: BackendStatus, l10n: L10n): string[] {
  const f = status.facts;
  const lines: string[] = [];
  for (const server of f.servers ?? []) {
    const load = server.busy !== undefined ? (server.slots !== undefined ? l10n.t(", {0} of {1} slots busy", server.busy, server.slots) : l10n.t(", {0} requests running", server.busy)) : "";
    lines.push(server.healthy ? l10n.t("server {0}: healthy{1}", server.origin, load) : l10n.t("server {0}: unreachable", server.origin));
  }
  if (!f.servers) {
    lines.push(
      f.device
        ? f.gpuFallbackReason
          ? l10n.t("device {0} (GPU unavailable: {1})", f.device, f.gpuFallbackReason)
          : l10n.t("device {0}", f.device)
        : l10n.t("engine not started"),
    );
  }
  for (const model of status.models) {
    lines.push(l10n.t("{0} for {1}: {2}", model.name, model.roles.join(" + "), describeModelFacts(model, l10n).join(", ")));
  }
  if (status.models.length === 0) lines.push(l10n.t("no model loaded"));
  if (f.binary) lines.push(describeEngineBinary(f.binary, l10n));
  if (f.residentBytes !== undefined && f.residentBytes > 0) lines.push(l10n.t("memory {0} (process)", formatBytes(f.residentBytes, l10n)));
  if (f.versions) lines.push(Object.entries(f.versions).map(([name, version]) => `${name} ${version}`).join(", "));
  return lines;
}
