/**
 * A saved conversation: plain JSON, one file per conversation. Every text in it is what the model saw (user text
 * and attachments after the safety filter) or what it wrote (after the output sanitizer); nothing unfiltered is
 * ever stored.
 */

export const CONVERSATION_FORMAT = 1;

export interface StoredAttachment {
  readonly kind: "file" | "selection" | "explain";
  readonly label: string;
  readonly language?: string;
  /** The filtered text sent to the model. */
  readonly text: string;
  readonly redactions: number;
}

export interface StoredTurn {
  readonly id: string;
  readonly role: "user" | "assistant";
  /** Filtered user text / sanitized answer. */
  text: string;
  readonly attachments: readonly StoredAttachment[];
  stopReason?: string;
  error?: string;
  createdAt: number;
}

export interface StoredConversation {
  readonly format: typeof CONVERSATION_FORMAT;
  readonly id: string;
  title: string;
  readonly createdAt: number;
  updatedAt: number;
  turns: StoredTurn[];
}

export interface ConversationSummary {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
  readonly turnCount: number;
}

const ID_RE = /^[A-Za-z0-9_-]{1,100}$/;

/** Ids become file names: only this safe alphabet, so an id can never traverse out of the storage folder. */
export function isConversationId(value: unknown): value is string {
  return typeof value === "string" && ID_RE.test(value);
}

/** A new id: time-ordered, with random bits from the caller (the host has `crypto`, this module does not). */
export function newConversationId(now: number, randomHex: string): string {
  return `c${now.toString(36)}-${randomHex.replace(/[^0-9a-f]/gi, "").slice(0, 12)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAttachment(value: unknown): value is StoredAttachment {
  return (
    isRecord(value) &&
    (value.kind === "file" || value.kind === "selection" || value.kind === "explain") &&
    typeof value.label === "string" &&
    typeof value.text === "string" &&
    typeof value.redactions === "number" &&
    (value.language === undefined || typeof value.language === "string")
  );
}

function isTurn(value: unknown): value is StoredTurn {
  return (
    isRecord(value) &&
    isConversationId(value.id) &&
    (value.role === "user" || value.role === "assistant") &&
    typeof value.text === "string" &&
    Array.isArray(value.attachments) &&
    value.attachments.every(isAttachment) &&
    typeof value.createdAt === "number" &&
    (value.stopReason === undefined || typeof value.stopReason === "string") &&
    (value.error === undefined || typeof value.error === "string")
  );
}

/** Validates a parsed file; undefined when it is not a conversation this version understands. */
export function parseStoredConversation(value: unknown): StoredConversation | undefined {
  if (!isRecord(value) || value.format !== CONVERSATION_FORMAT || !isConversationId(value.id)) return undefined;
  if (typeof value.title !== "string" || typeof value.createdAt !== "number" || typeof value.updatedAt !== "number") return undefined;
  if (!Array.isArray(value.turns) || !value.turns.every(isTurn)) return undefined;
  return value as unknown as StoredConversation;
}
