/**
 * The request for one chat answer, planned from the stored conversation: the text each turn gives the model, which
 * turns fit its context window, and the transcript "Show What the Model Sees" displays. Pure, so the host's
 * generation only adds what needs the model (token counts, streaming).
 */
import type { StoredTurn } from "./conversation.ts";
import { answerReserve, estimateTokens, planHistory, type HistoryPlan } from "./history.ts";
import { CHAT_SYSTEM_PROMPT, userTurnText } from "./prompt.ts";
import { isSummaryTurn, systemPromptWithSummary } from "./summary.ts";

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
  /** Of those, the ones no summary stands for yet (the summariser's next work). Default: none. */
  readonly unsummarised?: readonly string[];
}

export interface ChatRequestPlan {
  /** The context window planned for (the model's, or the default when it reported none). */
  readonly contextTokens: number;
  /** Tokens kept free for the answer: the request's `maxTokens`. */
  readonly reserveTokens: number;
  /** `dropped`: the conversation's turns left out (summaries are never counted as turns). */
  readonly history: HistoryPlan;
  /** The turns that fit, oldest first, as the model sees them. */
  readonly messages: readonly RequestMessage[];
  /** The system prompt to send: the chat's own, with the summary of the left-out turns where one stands for them. */
  readonly systemPrompt: string;
  /** The summary turn sent in the system prompt, if any. */
  readonly summaryTurnId?: string;
  /** Left-out turns no summary stands for yet, oldest first: what the next summary should take in. */
  readonly unsummarised: readonly string[];
}

/** A stored turn as the model sees it: a user turn has its attachments written in before its text. */
export function modelText(turn: StoredTurn): string {
  return turn.role === "user" ? userTurnText(turn.text, turn.attachments) : turn.text;
}

/**
 * Plans the request answering the last turn of `turns`. `turnTokens[i]` counts `modelText(turns[i])`;
 * `contextTokens` 0 means the model did not report its window; `systemTokens` counts `CHAT_SYSTEM_PROMPT`.
 *
 * Summary turns (see summary.ts) are not sent as messages: the newest one whose turns are all left out goes into the
 * system prompt, and the turns after it are planned in the room that leaves.
 */
export function planChatRequest(
  turns: readonly StoredTurn[],
  turnTokens: readonly number[],
  window: { readonly contextTokens: number; readonly systemTokens: number },
): ChatRequestPlan {
  const contextTokens = window.contextTokens || DEFAULT_CONTEXT_TOKENS;
  const reserveTokens = answerReserve(contextTokens);
  const tokensOf = (i: number) => turnTokens[i] ?? estimateTokens(modelText(turns[i]));
  const real = turns.flatMap((t, i) => (isSummaryTurn(t) ? [] : [{ turn: t, tokens: tokensOf(i) }]));
  const plan = (from: number, systemTokens: number) =>
    planHistory(
      real.slice(from).map(({ turn, tokens }) => ({ id: turn.id, role: turn.role, tokens })),
      { contextTokens, reserveTokens, systemTokens, perMessageTokens: PER_MESSAGE_TOKENS },
    );
  const full = plan(0, window.systemTokens);
  let history = full;
  let summary: { turn: StoredTurn; before: number } | undefined;
  if (full.dropped.length > 0) {
    // The newest summary that stands only for left-out turns.
    let realBefore = 0;
    for (const turn of turns) {
      if (!isSummaryTurn(turn)) realBefore++;
      else if (realBefore > 0 && realBefore <= full.dropped.length) summary = { turn, before: realBefore };
    }
  }
  let unsummarised = full.dropped;
  if (summary) {
    const rest = plan(summary.before, window.systemTokens + tokensOf(turns.indexOf(summary.turn)) + PER_MESSAGE_TOKENS);
    if (rest.fits) {
      const covered = real.slice(0, summary.before).map((r) => r.turn.id);
      history = { ...rest, dropped: [...covered, ...rest.dropped] };
      unsummarised = rest.dropped;
    } else {
      // The summary must not push the question itself out: then the turns alone are planned, as with no summary.
      summary = undefined;
    }
  }
  const included = new Set(history.included);
  const messages = turns.filter((t) => included.has(t.id)).map((t) => ({ role: t.role, text: modelText(t) }));
  return {
    contextTokens,
    reserveTokens,
    history,
    messages,
    systemPrompt: summary ? systemPromptWithSummary(CHAT_SYSTEM_PROMPT, summary.turn.text) : CHAT_SYSTEM_PROMPT,
    ...(summary ? { summaryTurnId: summary.turn.id } : {}),
    unsummarised,
  };
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
  return turns.reduce((sum, t) => (isSummaryTurn(t) ? sum : sum + estimateTokens(modelText(t)) + PER_MESSAGE_TOKENS), estimateTokens(systemPrompt));
}
