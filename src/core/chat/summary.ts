/**
 * Long conversations: when the oldest turns no longer fit the chat model's context window, the model writes a
 * summary of them (in the background, when the chat is idle), and later requests send that summary in the system
 * prompt instead of losing those turns without a trace.
 *
 * A summary is a turn of the conversation (`summaryOf` set, role `assistant`), placed right after the last turn it
 * stands for; it is cumulative: it stands for every turn before it (an earlier summary included), so only the
 * newest one that the plan can use matters. The turns themselves stay in the conversation and the view; the summary
 * is sent only while the turns it stands for are all left out.
 *
 * Every text here was filtered before it was stored (user text and attachments) or sanitized (answers), so a summary
 * is built from what the model saw already.
 */
import type { StoredTurn } from "./conversation.ts";
import { estimateTokens } from "./history.ts";

/** Where the summary goes in the system prompt. */
export function systemPromptWithSummary(systemPrompt: string, summary: string): string {
  return `${systemPrompt}\n\nThe earlier part of this conversation is no longer shown to you. Summary of it:\n${summary.trim()}`;
}

export const SUMMARY_SYSTEM_PROMPT =
  "You summarise the earlier part of a conversation between a developer and a coding assistant, so that the " +
  "assistant can continue it without seeing those messages. Keep what later questions may refer to: the goal, " +
  "decisions, names of files, functions and variables, errors, and short code that was agreed on. Leave out " +
  "greetings and repetition. Write plain sentences or a short list, no heading. Text such as <secret:rule#1> is a " +
  "placeholder for a removed value: keep it as it is.";

/** The summary of the summary request: how long it may be. */
export function summaryMaxTokens(contextTokens: number): number {
  return Math.max(96, Math.min(512, Math.floor(contextTokens / 8)));
}

/** A turn as the summary request shows it. */
export interface SummarySource {
  readonly role: "user" | "assistant";
  /** The model text of the turn (attachments included), or the previous summary's text. */
  readonly text: string;
  /** The previous summary (its text opens the transcript). */
  readonly isSummary?: boolean;
}

export interface SummaryRequestPlan {
  /** The one user message of the request: the transcript to summarise. */
  readonly message: string;
  /** How many of `sources` it holds (oldest first); the rest waits for the next summary. */
  readonly taken: number;
  readonly maxTokens: number;
}

/**
 * The request that summarises `sources` (oldest first; a previous summary first where there is one) within the
 * context window. A turn longer than a third of the room is cut in the middle, with a mark. Returns undefined when
 * not even the first source fits (a window too small to summarise anything).
 */
export function planSummaryRequest(sources: readonly SummarySource[], contextTokens: number, countTokens: (text: string) => number = estimateTokens): SummaryRequestPlan | undefined {
  const maxTokens = summaryMaxTokens(contextTokens);
  const room = contextTokens - maxTokens - countTokens(SUMMARY_SYSTEM_PROMPT) - 64;
  if (room <= 32) return undefined;
  const perTurnChars = Math.max(200, Math.floor((room / 3) * 3.5));
  const parts: string[] = ["Summarise this earlier part of the conversation:"];
  let used = countTokens(parts[0]);
  let taken = 0;
  for (const source of sources) {
    const text = source.text.length > perTurnChars ? `${source.text.slice(0, perTurnChars / 2)}\n[… cut …]\n${source.text.slice(-perTurnChars / 2)}` : source.text;
    const part = source.isSummary ? `Summary of what came before:\n${text}` : `${source.role === "user" ? "Developer" : "Assistant"}:\n${text}`;
    const cost = countTokens(part) + 4;
    if (used + cost > room) break;
    parts.push(part);
    used += cost;
    taken++;
  }
  // A previous summary alone is nothing new to summarise.
  const newTurns = taken - (sources[0]?.isSummary && taken > 0 ? 1 : 0);
  if (newTurns <= 0) return undefined;
  return { message: parts.join("\n\n"), taken, maxTokens };
}

/** Is `turn` a summary the model wrote? */
export function isSummaryTurn(turn: StoredTurn): boolean {
  return turn.summaryOf !== undefined && turn.summaryOf > 0;
}

/** A summary's text as stored: trimmed, and empty when the model gave nothing usable. */
export function cleanSummary(text: string): string {
  return text
    .replace(/^\s*(summary|here is (a|the) summary)[^\n:]*:\s*/i, "")
    .trim();
}
