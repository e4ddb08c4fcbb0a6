/**
 * A saved conversation: plain JSON, one file per conversation. Every text in it is what the model saw (user text
 * and attachments after the safety filter) or what it wrote (after the output sanitizer); nothing unfiltered is
 * ever stored.
 */
import type { Feature } from "../safety/index.ts";

export const CONVERSATION_FORMAT = 1;

/** The features that ask the chat model: the safety filter and "Show What the Model Sees" keep them apart. */
export type ChatFeature = Exclude<Feature, "completion">;

function isChatFeature(value: unknown): value is ChatFeature {
  return value === "chat" || value === "explain";
}

/** Where an attachment came from: a chip, an @-item, Explain Selection or Edit Selection. */
export type StoredAttachmentKind = "file" | "selection" | "explain" | "edit" | "problems" | "changes" | "terminal" | "symbol";
const ATTACHMENT_KINDS: ReadonlySet<string> = new Set(["file", "selection", "explain", "edit", "problems", "changes", "terminal", "symbol"]);

export interface StoredAttachment {
  readonly kind: StoredAttachmentKind;
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
  /**
   * The feature a user turn was asked under, so Regenerate answers it under the same one. Absent on answers, and
   * on questions saved before it was kept (they count as chat).
   */
  readonly feature?: ChatFeature;
  stopReason?: string;
  error?: string;
  /** An answer served from the answer cache. */
  fromCache?: boolean;
  /** A summary standing for this many older turns (long conversations), written by the model. */
  summaryOf?: number;
  createdAt: number;
}

/** A question for the chat model, before it becomes a user turn; its text and attachments are already filtered. */
export interface ChatQuestion {
  /** Who asks: the chat view's send is "chat", Explain Selection "explain". */
  readonly feature: ChatFeature;
  readonly text: string;
  readonly attachments: readonly StoredAttachment[];
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
  /** The file exists but cannot be read as a conversation: listed so the user can open or delete it. */
  readonly damaged?: boolean;
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

/** A new turn id: time-ordered, with random bits from the caller, in the alphabet `isConversationId` accepts. */
export function newTurnId(now: number, randomHex: string): string {
  return `t${now.toString(36)}${randomHex.replace(/[^0-9a-f]/gi, "").slice(0, 8)}`;
}

/** A new, empty conversation (`randomHex` as for `newConversationId`). */
export function newConversation(now: number, randomHex: string): StoredConversation {
  return { format: CONVERSATION_FORMAT, id: newConversationId(now, randomHex), title: "New chat", createdAt: now, updatedAt: now, turns: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isAttachment(value: unknown): value is StoredAttachment {
  return (
    isRecord(value) &&
    ATTACHMENT_KINDS.has(value.kind as string) &&
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
    (value.feature === undefined || isChatFeature(value.feature)) &&
    (value.stopReason === undefined || typeof value.stopReason === "string") &&
    (value.error === undefined || typeof value.error === "string") &&
    (value.fromCache === undefined || typeof value.fromCache === "boolean") &&
    (value.summaryOf === undefined || typeof value.summaryOf === "number")
  );
}

/** Validates a parsed file; undefined when it is not a conversation this version understands. */
export function parseStoredConversation(value: unknown): StoredConversation | undefined {
  if (!isRecord(value) || value.format !== CONVERSATION_FORMAT || !isConversationId(value.id)) return undefined;
  if (typeof value.title !== "string" || typeof value.createdAt !== "number" || typeof value.updatedAt !== "number") return undefined;
  if (!Array.isArray(value.turns) || !value.turns.every(isTurn)) return undefined;
  return value as unknown as StoredConversation;
}
