/**
 * The request for one chat answer, planned from the stored conversation: the text each turn gives the model, which
 * turns fit its context window, and the transcript "Show What the Model Sees" displays. Pure, so the host's
 * generation only adds what needs the model (token counts, streaming).
 */
import type { StoredTurn } from "./conversation.ts";
import { answerReserve, estimateTokens, planHistory, type HistoryPlan } from "./history.ts";
import { userTurnText } from "./prompt.ts";

/** The context window assumed while the model has not said its own. */
export const DEFAULT_CONTEXT_TOKENS = 4096;

/** Chat-template overhead per message (role markers), as `planHistory` counts it by default. */
const PER_MESSAGE_TOKENS = 8;

export interface RequestMessage {
  readonly role: "user" | "assistant";
  readonly text: string;
}

/** How much of the context window a request fills, known before the answer streams. */
export interface ContextUsage {
  readonly usedTokens: number;
  readonly contextTokens: number;
  /** Ids of the oldest turns left out because they no longer fit. */
  readonly dropped: readonly string[];
}

export interface ChatRequestPlan {
  /** The context window planned for (the model's, or the default when it reported none). */
  readonly contextTokens: number;
  /** Tokens kept free for the answer: the request's `maxTokens`. */
  readonly reserveTokens: number;
  readonly history: HistoryPlan;
  /** The turns that fit, oldest first, as the model sees them. */
  readonly messages: readonly RequestMessage[];
}

/** A stored turn as the model sees it: a user turn has its attachments written in before its text. */
export function modelText(turn: StoredTurn): string {
  return turn.role === "user" ? userTurnText(turn.text, turn.attachments) : turn.text;
}

/**
 * Plans the request answering the last turn of `turns`. `turnTokens[i]` counts `modelText(turns[i])`;
 * `contextTokens` 0 means the model did not report its window.
 */
export function planChatRequest(turns: readonly StoredTurn[], turnTokens: readonly number[], window: { readonly contextTokens: number; readonly systemTokens: number }): ChatRequestPlan {
  const contextTokens = window.contextTokens || DEFAULT_CONTEXT_TOKENS;
  const reserveTokens = answerReserve(contextTokens);
  const history = planHistory(
    turns.map((t, i) => ({ id: t.id, role: t.role, tokens: turnTokens[i] ?? estimateTokens(modelText(t)) })),
    { contextTokens, reserveTokens, systemTokens: window.systemTokens, perMessageTokens: PER_MESSAGE_TOKENS },
  );
  const included = new Set(history.included);
  const messages = turns.filter((t) => included.has(t.id)).map((t) => ({ role: t.role, text: modelText(t) }));
  return { contextTokens, reserveTokens, history, messages };
}

/** The exact text of a request as "Show What the Model Sees" records it: each message under its role. */
export function requestTranscript(systemPrompt: string, messages: readonly RequestMessage[]): string {
  return [`[system]\n${systemPrompt}`, ...messages.map((m) => `[${m.role}]\n${m.text}`)].join("\n\n");
}

/** The stop reasons worth showing on an answer: it ended early. The others are the model finishing normally. */
const EARLY_STOPS: ReadonlySet<string> = new Set(["abort", "maxTokens", "contextFull", "timeBudget"]);

/** The stop reason kept on the answer's turn, or undefined when the answer ended normally. */
export function earlyStopReason(reason: string): string | undefined {
  return EARLY_STOPS.has(reason) ? reason : undefined;
}

/** A rough size of a whole conversation, for the budget meter before the model has counted it. */
export function estimateConversationTokens(turns: readonly StoredTurn[], systemPrompt: string): number {
  return turns.reduce((sum, t) => sum + estimateTokens(modelText(t)) + PER_MESSAGE_TOKENS, estimateTokens(systemPrompt));
}
