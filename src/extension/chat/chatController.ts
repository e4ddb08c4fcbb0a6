/**
 * The chat's host side: the current conversation, its persistence, the budget meter, Stop and Regenerate, and the
 * intents the webview sends. The webview is only a view: everything it shows comes from here, so it can be torn
 * down and rebuilt at any time (`resync`). Generating an answer is `ChatGeneration`'s job, the list of saved
 * conversations `ConversationPicker`'s.
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { ConversationView, HostToWebview, WebviewToHost } from "../../core/chatProtocol.ts";
import { ContextMeter } from "../../core/chat/contextMeter.ts";
import { newConversation, newTurnId, type ChatQuestion, type StoredConversation, type StoredTurn } from "../../core/chat/conversation.ts";
import { CHAT_SYSTEM_PROMPT, titleFrom } from "../../core/chat/prompt.ts";
import type { ContextUsage } from "../../core/chat/request.ts";
import { conversationView, turnView } from "../../core/chat/view.ts";
import type { Ctx } from "../ctx.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import { ChatGeneration, chatModelLoader, type AnswerResult } from "./chatGeneration.ts";
import { runCodeAction } from "./codeActions.ts";
import { ConversationPicker } from "./conversationPicker.ts";
import { ConversationStore } from "./conversationStore.ts";
import { EditorContext, VirtualDocuments } from "./editorContext.ts";
import { ModelInput } from "./modelInput.ts";
import type { SafetyService } from "../safety.ts";
import { describeError } from "../userMessages.ts";

/** Where the controller's messages go: the chat view when it is open. */
export interface ChatSink {
  post(message: HostToWebview): void;
}

/** The answer being generated. */
interface RunningAnswer {
  readonly abort: AbortController;
  readonly turnId: string;
  readonly done: Promise<void>;
}

export class ChatController implements vscode.Disposable {
  readonly store: ConversationStore;
  readonly input: ModelInput;
  readonly documents: VirtualDocuments;
  readonly editorContext: EditorContext;
  private conversation: StoredConversation;
  private running: RunningAnswer | undefined;
  private sink: ChatSink | undefined;
  private readonly meter = new ContextMeter();
  private readonly generation: ChatGeneration;
  private readonly picker: ConversationPicker;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  /** Chunks handed to the view (for tests and diagnostics). */
  chunksPosted = 0;

  constructor(
    private readonly ctx: Ctx,
    backends: BackendRegistry,
    safety: SafetyService,
  ) {
    this.store = new ConversationStore(path.join(ctx.extensionContext.globalStorageUri.fsPath, "conversations"), (m) => ctx.log.warn(`Chat store: ${m}`));
    this.input = new ModelInput(safety);
    this.documents = new VirtualDocuments();
    this.editorContext = new EditorContext(this.input, this.documents);
    this.generation = new ChatGeneration(chatModelLoader(backends), this.input, ctx.log);
    this.picker = new ConversationPicker(this.store, this);
    this.subscriptions.push(this.picker, this.input, this.documents, this.editorContext, this.editorContext.onDidChange(() => this.post({ type: "chips", chips: this.editorContext.chips() })));
    this.conversation = newConversation(Date.now(), randomBytes(6).toString("hex"));
    void this.restoreLast();
  }

  /** The conversation shown now (tests read it). */
  get current(): StoredConversation {
    return this.conversation;
  }

  get isGenerating(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when the running generation (if any) has finished and been saved. */
  async idle(): Promise<void> {
    await this.running?.done;
  }

  attach(sink: ChatSink | undefined): void {
    this.sink = sink;
  }

  /** Sends everything the view shows (after the ready handshake or a reload of the view). */
  resync(): void {
    this.post({ type: "conversation", conversation: this.view(), generating: this.isGenerating });
    this.post({ type: "chips", chips: this.editorContext.chips() });
    this.post({ type: "budget", budget: this.meter.budget });
  }

  /** An intent from the chat view (the view's own intents, such as opening a link, stay with `ChatViewProvider`). */
  async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case "send":
        return this.send(message.text);
      case "stop":
        return this.stop();
      case "regenerate":
        return this.regenerate();
      case "newChat":
        return this.newChat();
      case "showHistory":
        return this.picker.show();
      case "renameConversation":
        return this.picker.rename(this.conversation.id);
      case "deleteConversation":
        return this.picker.delete(this.conversation.id);
      case "setChip":
        return this.editorContext.setAttached(message.kind, message.attached);
      case "showChip":
        return this.editorContext.show(message.kind);
      case "showAttachment": {
        const attachment = this.conversation.turns.find((t) => t.id === message.turnId)?.attachments[message.index];
        if (attachment) await this.documents.showAttachment(attachment);
        return;
      }
      case "codeAction": {
        const ok = await runCodeAction(message.action, message.code, this.editorContext.lastEditor, this.documents);
        return this.post({ type: "codeActionDone", action: message.action, ok });
      }
    }
  }

  /** A message typed into the chat view (plus attached editor context). Resolves when the answer has finished. */
  async send(text: string): Promise<void> {
    if (text.trim() === "") return;
    if (this.isGenerating) return this.notice("info", vscode.l10n.t("Wait for the answer to finish, or press Stop."));
    const filtered = await this.input.userMessage(text, "chat");
    if (filtered.refused) return this.notice("error", vscode.l10n.t("The message was not sent: {0}.", filtered.refused));
    const attachments = await this.editorContext.takeAttachments();
    const redactions = filtered.result.redactions.length;
    if (redactions > 0) {
      this.notice(
        "warning",
        redactions === 1
          ? vscode.l10n.t("1 secret was redacted from your message before it reached the model.")
          : vscode.l10n.t("{0} secrets were redacted from your message before it reached the model.", redactions),
      );
    }
    await this.ask({ feature: "chat", text: filtered.result.text, attachments });
  }

  /** Adds the question as a user turn and streams the answer into a new assistant turn. */
  async ask(question: ChatQuestion): Promise<void> {
    if (this.isGenerating) {
      this.stop();
      await this.idle();
    }
    const { feature, text, attachments } = question;
    const turn: StoredTurn = { id: newTurnId(Date.now(), randomBytes(4).toString("hex")), role: "user", text, attachments: [...attachments], feature, createdAt: Date.now() };
    if (this.conversation.turns.length === 0) this.conversation.title = titleFrom(text || attachments[0]?.label || vscode.l10n.t("New chat"));
    this.conversation.turns.push(turn);
    await this.generate();
  }

  stop(): void {
    this.running?.abort.abort();
  }

  async regenerate(): Promise<void> {
    if (this.isGenerating) return;
    const turns = this.conversation.turns;
    while (turns.length > 0 && turns[turns.length - 1].role === "assistant") turns.pop();
    if (turns.length === 0) return;
    await this.generate();
  }

  async newChat(): Promise<void> {
    this.stop();
    await this.idle();
    this.conversation = newConversation(Date.now(), randomBytes(6).toString("hex"));
    this.meter.reset();
    this.resync();
  }

  async open(id: string): Promise<boolean> {
    this.stop();
    await this.idle();
    const loaded = await this.store.load(id);
    if (!loaded) return false;
    this.show(loaded);
    await this.ctx.extensionContext.globalState.update(LAST_KEY, id);
    return true;
  }

  /** Shows a saved conversation; the budget meter estimates it until the next answer is counted. */
  private show(conversation: StoredConversation): void {
    this.conversation = conversation;
    this.meter.opened(conversation.turns, CHAT_SYSTEM_PROMPT);
    this.resync();
  }

  private async restoreLast(): Promise<void> {
    const id = this.ctx.extensionContext.globalState.get<string>(LAST_KEY);
    if (!id || this.conversation.turns.length > 0) return;
    const loaded = await this.store.load(id);
    if (loaded && this.conversation.turns.length === 0 && !this.disposed) this.show(loaded);
  }

  private async save(): Promise<void> {
    if (this.conversation.turns.length === 0) return;
    this.conversation.updatedAt = Date.now();
    try {
      await this.store.save(this.conversation);
      await this.ctx.extensionContext.globalState.update(LAST_KEY, this.conversation.id);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`Chat: saving the conversation failed: ${message}`);
      this.notice("error", vscode.l10n.t("The conversation could not be saved: {0}", message));
    }
  }

  /** Renames conversation `id`; the one shown is renamed in place (and saved) so the view follows. */
  async rename(id: string, title: string): Promise<void> {
    if (id === this.conversation.id) {
      this.conversation.title = title.trim().slice(0, 200) || this.conversation.title;
      await this.save();
      this.resync();
    } else await this.store.rename(id, title);
  }

  /** Deletes conversation `id`; deleting the one shown starts a new chat. */
  async delete(id: string): Promise<void> {
    await this.store.delete(id);
    if (id === this.conversation.id) await this.newChat();
  }

  /** Answers the last user turn; the answer streams into a new assistant turn and is saved when it ends. */
  private generate(): Promise<void> {
    const abort = new AbortController();
    const history = [...this.conversation.turns];
    const assistant: StoredTurn = { id: newTurnId(Date.now(), randomBytes(4).toString("hex")), role: "assistant", text: "", attachments: [], createdAt: Date.now() };
    this.conversation.turns.push(assistant);
    // Regenerate answers a question under the feature it was asked with.
    const feature = history[history.length - 1]?.feature ?? "chat";
    const request = { feature, title: this.conversation.title, history, answerTurnId: assistant.id, signal: abort.signal };
    const answered = this.generation.answer(request, {
      planned: (usage) => this.showContextUsage(usage),
      chunk: (text) => {
        assistant.text += text;
        this.chunksPosted++;
        this.post({ type: "chunk", turnId: assistant.id, text });
      },
    });
    const done = answered
      .then((result) => this.finishAnswer(assistant, result))
      .finally(async () => {
        this.running = undefined;
        this.post({ type: "turnEnd", turn: turnView(assistant, { streaming: false, dropped: this.meter.droppedTurns.has(assistant.id) }) });
        this.post({ type: "generating", generating: false });
        await this.save();
      });
    this.running = { abort, turnId: assistant.id, done };
    this.post({ type: "conversation", conversation: this.view(), generating: true });
    return done;
  }

  private showContextUsage(usage: ContextUsage): void {
    const newlyDropped = this.meter.planned(usage);
    this.post({ type: "budget", budget: this.meter.budget });
    if (newlyDropped.length > 0) {
      this.notice(
        "warning",
        vscode.l10n.t(
          "The conversation is longer than the model's context window: the {0} oldest message(s) are no longer sent to the model. Start a new chat to begin fresh.",
          usage.dropped.length,
        ),
      );
      this.post({ type: "conversation", conversation: this.view(), generating: true });
    }
  }

  private finishAnswer(assistant: StoredTurn, result: AnswerResult): void {
    if (result.outcome === "stopped") assistant.stopReason = "abort";
    else if (result.outcome === "failed") assistant.error = describeError(result.error, vscode.l10n);
    else {
      if (result.stopReason) assistant.stopReason = result.stopReason;
      if (result.contextShifted) this.notice("warning", vscode.l10n.t("The conversation did not fit the context window; the model dropped its oldest part for this answer."));
      this.meter.answered(result.answerTokens);
      this.post({ type: "budget", budget: this.meter.budget });
    }
  }

  private view(): ConversationView {
    return conversationView(this.conversation, this.running?.turnId, this.meter.droppedTurns);
  }

  private notice(level: "info" | "warning" | "error", text: string): void {
    this.post({ type: "notice", level, text });
  }

  private post(message: HostToWebview): void {
    this.sink?.post(message);
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.sink = undefined;
    for (const s of this.subscriptions) s.dispose();
  }
}

const LAST_KEY = "privateCoder.chat.lastConversation";
