/**
 * Messages between the chat webview (browser) and the extension host, one discriminated union per direction.
 * Both sides import this file; both validate what they receive with the parsers below, because a webview message is
 * untrusted input (a compromised or stale webview must not be able to crash the host or reach the engine with
 * malformed data). Unknown or malformed messages are logged and dropped, never thrown.
 */

/** What the view shows about the engine, so the user always knows why chat does or does not work. */
export type ModelViewState =
  | { readonly kind: "noModel" }
  | { readonly kind: "idle"; readonly modelName: string }
  | {
      readonly kind: "loading";
      readonly modelName: string;
      readonly progress: number;
      /** The engine process is still starting (before the model's load begins). */
      readonly starting?: boolean;
    }
  | { readonly kind: "ready"; readonly modelName: string; /** Backend, threads, context: shown on hover. */ readonly details?: string }
  | { readonly kind: "crashed"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };

export type ChipKind = "file" | "selection";
/** Attachments from @-items (`@problems`…), Explain Selection and Edit Selection besides the chips. */
export type AttachmentKind = ChipKind | "explain" | "edit" | "problems" | "changes" | "terminal" | "symbol";

/** One entry of the @-item completion list (`@file:` paths, `@symbol:` names). */
export interface MentionItemView {
  /** What is inserted after `@file:` / `@symbol:`. */
  readonly label: string;
  /** Shown beside it (the folder, the symbol's kind and line). */
  readonly detail?: string;
}

/** A piece of editor context that was sent with a user turn (its filtered text stays on the host). */
export interface AttachmentView {
  readonly kind: AttachmentKind;
  readonly label: string;
  /** How many secrets / sensitive words the safety filter replaced. */
  readonly redactions: number;
}

export interface TurnView {
  readonly id: string;
  readonly role: "user" | "assistant";
  readonly text: string;
  readonly attachments: readonly AttachmentView[];
  /** Still streaming. */
  readonly streaming: boolean;
  /** Why generation ended early (`abort`: the user pressed Stop; `maxTokens`; `contextFull`). */
  readonly stopReason?: string;
  /** Why generation failed. */
  readonly error?: string;
  /** Left out of the model's view of the conversation to fit the context window. */
  readonly dropped: boolean;
  /** The text is cut for the view; this is the whole text's length (`showTurn` opens it). */
  readonly truncatedFrom?: number;
  /** An answer served from the answer cache (no model ran): shown with "from cache" and Regenerate. */
  readonly fromCache?: boolean;
  /** A summary of older turns written by the model for long conversations: how many turns it stands for. */
  readonly summaryOf?: number;
}

export interface ConversationView {
  readonly id: string;
  readonly title: string;
  readonly turns: readonly TurnView[];
}

/** The editor context that can be attached to the next message. */
export interface ChipView {
  readonly kind: ChipKind;
  /** `app.ts`, `app.ts:3-7`. */
  readonly label: string;
  readonly attached: boolean;
  readonly redactions: number;
  /** The file is excluded by the safety settings (or a sensitive word blocks it): it cannot be attached. */
  readonly unavailable?: string;
}

/** How much of the context window the conversation uses. */
export interface BudgetView {
  readonly usedTokens: number;
  readonly contextTokens: number;
  /** Turns left out of the last request (oldest first). */
  readonly droppedTurns: number;
  /** Counted with an estimate (the model is not loaded yet). */
  readonly estimated: boolean;
}

export type CodeAction = "copy" | "insert" | "apply";

/** host → webview */
export type HostToWebview =
  | { readonly type: "modelState"; readonly state: ModelViewState }
  | { readonly type: "conversation"; readonly conversation: ConversationView; readonly generating: boolean }
  | { readonly type: "chunk"; readonly turnId: string; readonly text: string }
  | { readonly type: "turnEnd"; readonly turn: TurnView }
  | { readonly type: "generating"; readonly generating: boolean }
  | { readonly type: "chips"; readonly chips: readonly ChipView[] }
  | { readonly type: "budget"; readonly budget: BudgetView }
  | { readonly type: "notice"; readonly level: "info" | "warning" | "error"; readonly text: string }
  | { readonly type: "codeActionDone"; readonly action: CodeAction; readonly ok: boolean }
  /** The message was sent, as the model saw it (secrets redacted): what the input history may keep. */
  | { readonly type: "inputAccepted"; readonly text: string }
  /** The answer to `mentionQuery` `requestId`. */
  | { readonly type: "mentionItems"; readonly requestId: number; readonly items: readonly MentionItemView[] };

/** webview → host */
export type WebviewToHost =
  | { readonly type: "ready" }
  | { readonly type: "selectModel" }
  | { readonly type: "restartEngine" }
  | { readonly type: "showLogs" }
  | { readonly type: "send"; readonly text: string }
  | { readonly type: "stop" }
  | { readonly type: "regenerate" }
  | { readonly type: "newChat" }
  | { readonly type: "showHistory" }
  | { readonly type: "renameConversation" }
  | { readonly type: "deleteConversation" }
  | { readonly type: "setChip"; readonly kind: ChipKind; readonly attached: boolean }
  | { readonly type: "showChip"; readonly kind: ChipKind }
  | { readonly type: "showAttachment"; readonly turnId: string; readonly index: number }
  /** Open the whole text of a turn shown cut. */
  | { readonly type: "showTurn"; readonly turnId: string }
  /** The view could not show the conversation it was sent: the host goes back to the one shown before. */
  | { readonly type: "conversationRejected" }
  | { readonly type: "codeAction"; readonly action: CodeAction; readonly code: string; readonly language: string }
  | { readonly type: "openLink"; readonly href: string }
  /** Completion of an @-item's argument as the user types (`@file:src/ap`). */
  | { readonly type: "mentionQuery"; readonly requestId: number; readonly kind: "file" | "symbol"; readonly query: string };

/** Longest chat message the host accepts from the view (characters). */
export const MAX_MESSAGE_CHARS = 100_000;
/** Longest code block a code action may carry. */
export const MAX_CODE_CHARS = 1_000_000;
const MAX_ID_CHARS = 100;
const MAX_LABEL_CHARS = 500;
const MAX_TURN_CHARS = 2_000_000;

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Exactly these keys (no more, no fewer optional ones than allowed). */
function hasOnlyKeys(value: Rec, required: readonly string[], optional: readonly string[] = []): boolean {
  const keys = Object.keys(value);
  if (!required.every((k) => Object.prototype.hasOwnProperty.call(value, k))) return false;
  return keys.every((k) => required.includes(k) || optional.includes(k));
}

function isStr(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length <= max;
}

function isId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ID_CHARS && /^[A-Za-z0-9_-]+$/.test(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER;
}

const CHIP_KINDS: readonly string[] = ["file", "selection"];
const ATTACHMENT_KINDS: readonly string[] = ["file", "selection", "explain", "edit", "problems", "changes", "terminal", "symbol"];
/** Most @-item completions sent at once. */
export const MAX_MENTION_ITEMS = 50;

function isMentionItem(value: unknown): value is MentionItemView {
  return isRecord(value) && isStr(value.label, MAX_LABEL_CHARS) && (value.detail === undefined || isStr(value.detail, MAX_LABEL_CHARS));
}
const CODE_ACTIONS: readonly string[] = ["copy", "insert", "apply"];
const BARE_TYPES: ReadonlySet<string> = new Set([
  "ready",
  "selectModel",
  "restartEngine",
  "showLogs",
  "stop",
  "regenerate",
  "newChat",
  "showHistory",
  "renameConversation",
  "deleteConversation",
  "conversationRejected",
]);

/** Validates a message received by the host; returns undefined for anything that is not exactly a known message. */
export function parseWebviewToHost(value: unknown): WebviewToHost | undefined {
  try {
    return parseWebviewToHostUnsafe(value);
  } catch {
    // A hostile object (a throwing getter, a Proxy) must not escape as an exception.
    return undefined;
  }
}

function parseWebviewToHostUnsafe(value: unknown): WebviewToHost | undefined {
  if (!isRecord(value) || typeof value.type !== "string") return undefined;
  const v = value;
  const type = v.type as string;
  if (BARE_TYPES.has(type)) return hasOnlyKeys(v, ["type"]) ? ({ type } as WebviewToHost) : undefined;
  switch (type) {
    case "send":
      return hasOnlyKeys(v, ["type", "text"]) && isStr(v.text, MAX_MESSAGE_CHARS) ? { type, text: v.text } : undefined;
    case "setChip":
      return hasOnlyKeys(v, ["type", "kind", "attached"]) && CHIP_KINDS.includes(v.kind as string) && typeof v.attached === "boolean"
        ? { type, kind: v.kind as ChipKind, attached: v.attached }
        : undefined;
    case "showChip":
      return hasOnlyKeys(v, ["type", "kind"]) && CHIP_KINDS.includes(v.kind as string) ? { type, kind: v.kind as ChipKind } : undefined;
    case "showTurn":
      return hasOnlyKeys(v, ["type", "turnId"]) && isId(v.turnId) ? { type: "showTurn", turnId: v.turnId } : undefined;
    case "showAttachment":
      return hasOnlyKeys(v, ["type", "turnId", "index"]) && isId(v.turnId) && isCount(v.index) && v.index < 100 ? { type, turnId: v.turnId, index: v.index } : undefined;
    case "codeAction":
      return hasOnlyKeys(v, ["type", "action", "code", "language"]) &&
        CODE_ACTIONS.includes(v.action as string) &&
        isStr(v.code, MAX_CODE_CHARS) &&
        isStr(v.language, 100)
        ? { type, action: v.action as CodeAction, code: v.code, language: v.language }
        : undefined;
    case "openLink":
      return hasOnlyKeys(v, ["type", "href"]) && isStr(v.href, 8192) ? { type, href: v.href } : undefined;
    case "mentionQuery":
      return hasOnlyKeys(v, ["type", "requestId", "kind", "query"]) && isCount(v.requestId) && (v.kind === "file" || v.kind === "symbol") && isStr(v.query, 500)
        ? { type, requestId: v.requestId, kind: v.kind, query: v.query }
        : undefined;
    default:
      return undefined;
  }
}

function isModelViewState(value: unknown): value is ModelViewState {
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

function isAttachmentView(value: unknown): value is AttachmentView {
  return isRecord(value) && ATTACHMENT_KINDS.includes(value.kind as string) && isStr(value.label, MAX_LABEL_CHARS) && isCount(value.redactions);
}

function isTurnView(value: unknown): value is TurnView {
  return (
    isRecord(value) &&
    isId(value.id) &&
    (value.role === "user" || value.role === "assistant") &&
    isStr(value.text, MAX_TURN_CHARS) &&
    Array.isArray(value.attachments) &&
    value.attachments.every(isAttachmentView) &&
    typeof value.streaming === "boolean" &&
    typeof value.dropped === "boolean" &&
    (value.stopReason === undefined || isStr(value.stopReason, 40)) &&
    (value.error === undefined || isStr(value.error, 4000)) &&
    (value.truncatedFrom === undefined || isCount(value.truncatedFrom)) &&
    (value.fromCache === undefined || typeof value.fromCache === "boolean") &&
    (value.summaryOf === undefined || isCount(value.summaryOf))
  );
}

function isConversationView(value: unknown): value is ConversationView {
  return isRecord(value) && isId(value.id) && isStr(value.title, MAX_LABEL_CHARS) && Array.isArray(value.turns) && value.turns.every(isTurnView);
}

function isChipView(value: unknown): value is ChipView {
  return (
    isRecord(value) &&
    CHIP_KINDS.includes(value.kind as string) &&
    isStr(value.label, MAX_LABEL_CHARS) &&
    typeof value.attached === "boolean" &&
    isCount(value.redactions) &&
    (value.unavailable === undefined || isStr(value.unavailable, MAX_LABEL_CHARS))
  );
}

function isBudgetView(value: unknown): value is BudgetView {
  return isRecord(value) && isCount(value.usedTokens) && isCount(value.contextTokens) && isCount(value.droppedTurns) && typeof value.estimated === "boolean";
}

/** Validates a message received by the webview. */
export function parseHostToWebview(value: unknown): HostToWebview | undefined {
  try {
    return parseHostToWebviewUnsafe(value);
  } catch {
    return undefined;
  }
}

function parseHostToWebviewUnsafe(value: unknown): HostToWebview | undefined {
  if (!isRecord(value)) return undefined;
  const v = value;
  switch (v.type) {
    case "modelState":
      return isModelViewState(v.state) ? { type: "modelState", state: v.state } : undefined;
    case "conversation":
      return isConversationView(v.conversation) && typeof v.generating === "boolean" ? { type: "conversation", conversation: v.conversation, generating: v.generating } : undefined;
    case "chunk":
      return isId(v.turnId) && isStr(v.text, MAX_TURN_CHARS) ? { type: "chunk", turnId: v.turnId, text: v.text } : undefined;
    case "turnEnd":
      return isTurnView(v.turn) ? { type: "turnEnd", turn: v.turn } : undefined;
    case "generating":
      return typeof v.generating === "boolean" ? { type: "generating", generating: v.generating } : undefined;
    case "chips":
      return Array.isArray(v.chips) && v.chips.length <= 4 && v.chips.every(isChipView) ? { type: "chips", chips: v.chips } : undefined;
    case "budget":
      return isBudgetView(v.budget) ? { type: "budget", budget: v.budget } : undefined;
    case "notice":
      return (v.level === "info" || v.level === "warning" || v.level === "error") && isStr(v.text, 4000) ? { type: "notice", level: v.level, text: v.text } : undefined;
    case "codeActionDone":
      return CODE_ACTIONS.includes(v.action as string) && typeof v.ok === "boolean" ? { type: "codeActionDone", action: v.action as CodeAction, ok: v.ok } : undefined;
    case "inputAccepted":
      return isStr(v.text, MAX_TURN_CHARS) ? { type: "inputAccepted", text: v.text } : undefined;
    case "mentionItems":
      return isCount(v.requestId) && Array.isArray(v.items) && v.items.length <= MAX_MENTION_ITEMS && v.items.every(isMentionItem)
        ? { type: "mentionItems", requestId: v.requestId, items: v.items }
        : undefined;
    default:
      return undefined;
  }
}
