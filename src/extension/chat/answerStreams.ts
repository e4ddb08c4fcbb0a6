/**
 * The answers of the chat: one streams at a time into a new assistant turn of the conversation it was asked in,
 * shows its context usage as it is planned, and is saved when it ends. Stop aborts every answer still running.
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import type { ConversationView, HostToWebview } from "../../core/chatProtocol.ts";
import type { ContextMeter } from "../../core/chat/contextMeter.ts";
import { newTurnId, type StoredConversation, type StoredTurn } from "../../core/chat/conversation.ts";
import type { ContextUsage } from "../../core/chat/request.ts";
import { turnView } from "../../core/chat/view.ts";
import { describeError } from "../userMessages.ts";
import type { AnswerResult, ChatGeneration } from "./chatGeneration.ts";
import type { HistorySummarizer } from "./historySummarizer.ts";

/** What an answer needs from the chat it belongs to. */
export interface AnswerHost {
  post(message: HostToWebview): void;
  notice(level: "info" | "warning" | "error", text: string): void;
  /** The conversation as the view shows it now. */
  view(): ConversationView;
  /** Saves the conversation (after the answer ended). */
  save(): Promise<void>;
}

interface RunningAnswer {
  readonly abort: AbortController;
  readonly turnId: string;
  readonly done: Promise<void>;
}

export class AnswerStreams {
  private running: RunningAnswer | undefined;
  /** Every answer not finished yet (Stop aborts them all; normally there is one). */
  private readonly controllers = new Set<AbortController>();

  /** Counts Stops: an answer summarises only when none came since it started. */
  private stops = 0;
  /** Left-out turns of the last planned request that no summary stands for yet. */
  private unsummarised: readonly string[] = [];

  constructor(
    private readonly generation: ChatGeneration,
    private readonly meter: ContextMeter,
    private readonly host: AnswerHost,
    private readonly summarizer: HistorySummarizer,
  ) {}

  get active(): boolean {
    return this.running !== undefined;
  }

  get runningTurnId(): string | undefined {
    return this.running?.turnId;
  }

  /** Resolves when the running answer (if any) has finished and been saved. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  stopAll(): void {
    // A summary must not start after a Stop (New Chat, switching conversations, closing): the answer ending now
    // would otherwise start one in its `finally`.
    this.stops++;
    this.summarizer.cancel();
    for (const controller of this.controllers) controller.abort();
  }

  /** Answers the last user turn of `conversation`; resolves when the answer has ended and been saved. */
  start(conversation: StoredConversation): Promise<void> {
    // A summary being written in the background gives way at once; the next answer asks for it again.
    this.summarizer.cancel();
    this.unsummarised = [];
    const stopsAtStart = this.stops;
    const abort = new AbortController();
    this.controllers.add(abort);
    const history = [...conversation.turns];
    const assistant: StoredTurn = { id: newTurnId(Date.now(), randomBytes(4).toString("hex")), role: "assistant", text: "", attachments: [], createdAt: Date.now() };
    conversation.turns.push(assistant);
    // Regenerate answers a question under the feature it was asked with.
    const feature = history[history.length - 1]?.feature ?? "chat";
    const request = { feature, title: conversation.title, history, answerTurnId: assistant.id, signal: abort.signal };
    const answered = this.generation.answer(request, {
      planned: (usage) => this.showContextUsage(usage),
      chunk: (text) => {
        assistant.text += text;
        this.host.post({ type: "chunk", turnId: assistant.id, text });
      },
    });
    const done = answered
      .then((result) => this.finish(assistant, result))
      .finally(async () => {
        this.controllers.delete(abort);
        this.running = undefined;
        this.host.post({ type: "turnEnd", turn: turnView(assistant, { streaming: false, dropped: this.meter.droppedTurns.has(assistant.id) }) });
        this.host.post({ type: "generating", generating: false });
        await this.host.save();
        if (this.stops === stopsAtStart) this.summariseLater(conversation);
      });
    this.running = { abort, turnId: assistant.id, done };
    this.host.post({ type: "conversation", conversation: this.host.view(), generating: true });
    return done;
  }

  /** Once the answer is saved and nothing else runs, the left-out turns are summarised (cancelled by any new request). */
  private summariseLater(conversation: StoredConversation): void {
    const unsummarised = this.unsummarised;
    if (unsummarised.length === 0 || this.running) return;
    void this.summarizer.summarise(conversation, unsummarised).then(async (summary) => {
      if (!summary || this.running) return;
      await this.host.save();
      this.host.post({ type: "conversation", conversation: this.host.view(), generating: false });
      this.host.notice("info", vscode.l10n.t("The model summarised the {0} oldest message(s) to fit its context window; the summary is sent in their place.", summary.summaryOf ?? 0));
    });
  }

  private showContextUsage(usage: ContextUsage): void {
    const newlyDropped = this.meter.planned(usage);
    this.unsummarised = usage.unsummarised ?? [];
    this.host.post({ type: "budget", budget: this.meter.budget });
    if (newlyDropped.length > 0 && this.unsummarised.length > 0) {
      this.host.notice(
        "warning",
        this.summarizer.willSummarise
          ? vscode.l10n.t(
              "The conversation is longer than the model's context window: the {0} oldest message(s) are no longer sent to the model. When the chat is idle the model summarises them, and the summary is sent in their place.",
              usage.dropped.length,
            )
          : vscode.l10n.t(
              "The conversation is longer than the model's context window: the {0} oldest message(s) are no longer sent to the model. Start a new chat to begin fresh.",
              usage.dropped.length,
            ),
      );
      this.host.post({ type: "conversation", conversation: this.host.view(), generating: true });
    }
  }

  private finish(assistant: StoredTurn, result: AnswerResult): void {
    if (result.outcome === "stopped") assistant.stopReason = "abort";
    else if (result.outcome === "failed") assistant.error = describeError(result.error, vscode.l10n);
    else {
      if (result.stopReason) assistant.stopReason = result.stopReason;
      if (result.contextShifted) this.host.notice("warning", vscode.l10n.t("The conversation did not fit the context window; the model dropped its oldest part for this answer."));
      this.meter.answered(result.answerTokens);
      this.host.post({ type: "budget", budget: this.meter.budget });
    }
  }
}
