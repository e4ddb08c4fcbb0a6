/**
 * Messages between the chat webview (browser) and the extension host, one discriminated union per direction.
 * Both sides import this file; both validate what they receive with the guards below, because a webview message is
 * untrusted input (a compromised or stale webview must not be able to crash the host or reach the engine with
 * malformed data). Unknown or malformed messages are logged and dropped, never thrown.
 */

/** What the view shows about the engine, so the user always knows why chat does or does not work. */
export type EngineViewState =
  | { readonly kind: "noModel" }
  | { readonly kind: "idle"; readonly modelName: string }
  | { readonly kind: "loading"; readonly modelName: string; readonly progress: number }
  | { readonly kind: "ready"; readonly modelName: string; /** Backend, threads, context: shown on hover. */ readonly details?: string }
  | { readonly kind: "crashed"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };

/** host → webview */
export type HostToWebview = { readonly type: "engineState"; readonly state: EngineViewState };

/** webview → host */
export type WebviewToHost =
  | { readonly type: "ready" }
  | { readonly type: "selectModel" }
  | { readonly type: "restartEngine" }
  | { readonly type: "showLogs" };

const WEBVIEW_TO_HOST_TYPES: ReadonlySet<string> = new Set<WebviewToHost["type"]>(["ready", "selectModel", "restartEngine", "showLogs"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates a message received by the host; returns undefined for anything that is not exactly a known message. */
export function parseWebviewToHost(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value) || typeof value.type !== "string" || !WEBVIEW_TO_HOST_TYPES.has(value.type)) return undefined;
  // Every current message carries only its type; extra keys mean a sender we do not understand.
  if (Object.keys(value).length !== 1) return undefined;
  return { type: value.type } as WebviewToHost;
}

function isEngineViewState(value: unknown): value is EngineViewState {
  if (!isRecord(value)) return false;
  switch (value.kind) {
    case "noModel":
      return true;
    case "idle":
      return typeof value.modelName === "string";
    case "ready":
      return typeof value.modelName === "string" && (value.details === undefined || typeof value.details === "string");
    case "loading":
      return typeof value.modelName === "string" && typeof value.progress === "number" && value.progress >= 0 && value.progress <= 1;
    case "crashed":
    case "error":
      return typeof value.message === "string";
    default:
      return false;
  }
}

/** Validates a message received by the webview. */
export function parseHostToWebview(value: unknown): HostToWebview | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === "engineState" && isEngineViewState(value.state)) return { type: "engineState", state: value.state };
  return undefined;
}
