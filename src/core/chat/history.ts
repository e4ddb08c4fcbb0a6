/**
 * Which turns of a conversation the chat model sees. A local model's context window is small (4–8k tokens): the
 * request must leave room for the answer, so when the conversation no longer fits, the oldest turns are left out
 * (whole turns, oldest first, never the message being answered) and the caller tells the user how many.
 */

export interface BudgetTurn {
  readonly id: string;
  readonly role: "user" | "assistant";
  /** Tokens of the turn's model text (attachments included). */
  readonly tokens: number;
}

export interface HistoryBudget {
  /** The model's context window. */
  readonly contextTokens: number;
  /** Tokens kept free for the answer. */
  readonly reserveTokens: number;
  /** Tokens of the system prompt. */
  readonly systemTokens: number;
  /** Chat-template overhead per message (role markers). Default 8. */
  readonly perMessageTokens?: number;
}

export interface HistoryPlan {
  /** Ids of the turns to send, oldest first; ends with the turn being answered. */
  readonly included: readonly string[];
  /** Ids of the turns left out, oldest first. */
  readonly dropped: readonly string[];
  /** Tokens the request uses (system prompt and overhead included), without the reserve. */
  readonly usedTokens: number;
  /** False when even the last user turn alone does not fit: nothing should be sent. */
  readonly fits: boolean;
}

/** The answer reserve for a context window: a quarter of it, between 256 and 2,048 tokens. */
export function answerReserve(contextTokens: number): number {
  return Math.max(256, Math.min(2048, Math.floor(contextTokens / 4)));
}

/** A rough token count for when the model's tokenizer is not available (about 3.5 characters per token for code). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.5);
}

/**
 * Keeps the newest turns that fit. The included turns form a contiguous suffix of the conversation that starts with
 * a user turn (a leading assistant turn without its question only confuses the model).
 */
export function planHistory(turns: readonly BudgetTurn[], budget: HistoryBudget): HistoryPlan {
  const overhead = budget.perMessageTokens ?? 8;
  const available = budget.contextTokens - budget.reserveTokens - budget.systemTokens - overhead;
  let used = 0;
  let start = turns.length;
  for (let i = turns.length - 1; i >= 0; i--) {
    const cost = Math.max(0, turns[i].tokens) + overhead;
    if (used + cost > available) break;
    used += cost;
    start = i;
  }
  // Never start with an assistant turn.
  while (start < turns.length && turns[start].role === "assistant") {
    used -= Math.max(0, turns[start].tokens) + overhead;
    start++;
  }
  const fits = turns.length > 0 && start < turns.length && start <= turns.length - 1 && turns[turns.length - 1].role === "user";
  return {
    included: turns.slice(start).map((t) => t.id),
    dropped: turns.slice(0, start).map((t) => t.id),
    usedTokens: used + budget.systemTokens + overhead,
    fits,
  };
}
