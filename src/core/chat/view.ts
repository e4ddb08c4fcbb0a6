/**
 * What the chat view is sent of a stored conversation. Attachments travel without their text (it stays on the host
 * and opens on request), and an error is capped so one failure cannot flood the view.
 */
import type { ConversationView, TurnView } from "../chatProtocol.ts";
import type { StoredConversation, StoredTurn } from "./conversation.ts";

/** Longest error text shown under a turn. */
const MAX_ERROR_CHARS = 4000;
/**
 * Longest turn text sent to the view: a longer turn (a pasted log, a runaway answer) is shown cut, with a way to
 * open the whole text in an editor, so the conversation message always passes the view's validation.
 */
export const MAX_VIEW_TURN_CHARS = 200_000;

export interface TurnState {
  /** The turn is the answer still streaming. */
  readonly streaming: boolean;
  /** The turn no longer fits the model's context window. */
  readonly dropped: boolean;
}

export function turnView(turn: StoredTurn, state: TurnState): TurnView {
  return {
    id: turn.id,
    role: turn.role,
    text: turn.text.length > MAX_VIEW_TURN_CHARS ? turn.text.slice(0, MAX_VIEW_TURN_CHARS) : turn.text,
    ...(turn.text.length > MAX_VIEW_TURN_CHARS ? { truncatedFrom: turn.text.length } : {}),
    attachments: turn.attachments.map((a) => ({ kind: a.kind, label: a.label, redactions: a.redactions })),
    streaming: state.streaming,
    dropped: state.dropped,
    ...(turn.stopReason ? { stopReason: turn.stopReason } : {}),
    ...(turn.error ? { error: turn.error.slice(0, MAX_ERROR_CHARS) } : {}),
    ...(turn.fromCache ? { fromCache: true } : {}),
    ...(turn.summaryOf ? { summaryOf: turn.summaryOf } : {}),
  };
}

/** The whole conversation; `streamingTurnId` is the answer being generated, `dropped` the turns left out. */
export function conversationView(conversation: StoredConversation, streamingTurnId: string | undefined, dropped: ReadonlySet<string>): ConversationView {
  return {
    id: conversation.id,
    title: conversation.title,
    turns: conversation.turns.map((t) => turnView(t, { streaming: t.id === streamingTurnId, dropped: dropped.has(t.id) })),
  };
}
