/**
 * The chat's host side: the current conversation, its persistence, the budget meter, one question at a time, Stop
 * and Regenerate, and the intents the webview sends (`chatIntents.ts`). The webview is only a view: everything it
 * shows comes from here, so it can be torn down and rebuilt at any time (`resync`). Streaming an answer is
 * `AnswerStreams`', generating it `ChatGeneration`'s, the list of saved conversations `ConversationPicker`'s.
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { ConversationView, HostToWebview, WebviewToHost } from "../../core/chatProtocol.ts";
import { ContextMeter } from "../../core/chat/contextMeter.ts";
import { newConversation, newTurnId, type ChatQuestion, type StoredConversation, type StoredTurn } from "../../core/chat/conversation.ts";
import { CHAT_SYSTEM_PROMPT, titleFrom } from "../../core/chat/prompt.ts";
import { conversationView } from "../../core/chat/view.ts";
import type { Ctx } from "../ctx.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import { AnswerCacheService } from "./answerCacheService.ts";
import { AnswerStreams } from "./answerStreams.ts";
import { sendMessage, type SendHost } from "./chatSend.ts";
import { ContextItems } from "./contextItems.ts";
import { EditSession } from "./editSession.ts";
import { HistorySummarizer } from "./historySummarizer.ts";
import { ChatGeneration, chatModelLoader } from "./chatGeneration.ts";
import { handleChatIntent } from "./chatIntents.ts";
import { ConversationPicker } from "./conversationPicker.ts";
import { ConversationStore } from "./conversationStore.ts";
import { EditorContext, VirtualDocuments } from "./editorContext.ts";
import { ModelInput } from "./modelInput.ts";
import type { SafetyService } from "../safety.ts";

/** Where the controller's messages go: the chat view when it is open. */
export interface ChatSink {
  post(message: HostToWebview): void;
}

/** How a question is asked. */
export interface AskOptions {
  /** Start a new conversation for it (Explain Selection does, unless `chat.explainInCurrentConversation`). */
  readonly newConversation?: boolean;
}

export class ChatController implements vscode.Disposable, SendHost {
  readonly store: ConversationStore;
  readonly input: ModelInput;
  readonly documents: VirtualDocuments;
  readonly editorContext: EditorContext;
  readonly items: ContextItems;
  readonly cache: AnswerCacheService;
  readonly edits: EditSession;
  private readonly generation: ChatGeneration;
  private conversation: StoredConversation;
  private sink: ChatSink | undefined;
  private readonly meter = new ContextMeter();
  readonly picker: ConversationPicker;
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  /** Questions on their way (a send being filtered, a command waiting its turn): one answer at a time, however many arrive in one tick. */
  private asking = 0;
  private lastGenerating = false;
  private readonly generatingEmitter = new vscode.EventEmitter<boolean>();
  /** Fires when an answer starts streaming (true) and when it ends (false). */
  readonly onDidChangeGenerating = this.generatingEmitter.event;
  /** The last save failed (its notice is on screen until a save works). */
  private saveFailed = false;
  /** The conversation shown before the last switch (the view may reject the new one). */
  private shownBefore: StoredConversation | undefined;
  /** Questions from commands, in order. */
  private askQueue: Promise<void> = Promise.resolve();
  private readonly answers: AnswerStreams;
  /** Summaries of the turns a long conversation leaves out (written in the background). */
  readonly summarizer: HistorySummarizer;
  /** Each chat or Explain answer's metadata when it ends (the usage log subscribes). */
  readonly onDidAnswer: ChatGeneration["onDidAnswer"];

  constructor(
    private readonly ctx: Ctx,
    backends: BackendRegistry,
    safety: SafetyService,
  ) {
    this.store = new ConversationStore(path.join(ctx.extensionContext.globalStorageUri.fsPath, "conversations"), (m) => ctx.log.warn(`Chat store: ${m}`));
    this.input = new ModelInput(safety);
    this.documents = new VirtualDocuments();
    this.editorContext = new EditorContext(this.input, this.documents);
    this.items = new ContextItems(this.input, this.editorContext);
    this.cache = new AnswerCacheService(ctx.config, this.input);
    this.edits = new EditSession(this, ctx.log);
    const loadChatModel = chatModelLoader(backends);
    const generation = (this.generation = new ChatGeneration(loadChatModel, this.input, ctx.log));
    this.onDidAnswer = generation.onDidAnswer;
    this.summarizer = new HistorySummarizer(loadChatModel, this.input, ctx.log, () => ctx.config.get("chat.summarizeHistory"));
    this.answers = new AnswerStreams(
      generation,
      this.meter,
      {
        post: (message) => this.post(message),
        notice: (level, text) => this.notice(level, text),
        view: () => this.view(),
        save: () => this.save(),
      },
      this.summarizer,
    );
    this.picker = new ConversationPicker(this.store, this);
    this.subscriptions.push(this.picker, this.input, this.items, this.cache, this.edits, this.documents, this.editorContext, this.editorContext.onDidChange(() => this.post({ type: "chips", chips: this.editorContext.chips() })));
    this.conversation = newConversation(Date.now(), randomBytes(6).toString("hex"));
    void this.restoreLast();
  }

  /** The conversation shown now. */
  get current(): StoredConversation {
    return this.conversation;
  }

  /** Answers the engine was asked for (an answer from the cache asks none). */
  get engineRequests(): number {
    return this.generation.requests;
  }

  get isGenerating(): boolean {
    return this.answers.active || this.asking > 0;
  }

  /** Resolves when the running generation (if any) has finished and been saved. */
  async idle(): Promise<void> {
    await this.answers.idle();
    // A summary in the background is part of the chat's work: after a Stop it ends at once.
    await this.summarizer.idle();
  }

  /** Where messages for the view go from now on; returns the previous receiver (so a listener can pass them on). */
  attach(sink: ChatSink | undefined): ChatSink | undefined {
    const previous = this.sink;
    this.sink = sink;
    return previous;
  }

  /** Sends everything the view shows (after the ready handshake or a reload of the view). */
  resync(): void {
    this.post({ type: "conversation", conversation: this.view(), generating: this.isGenerating });
    this.post({ type: "chips", chips: this.editorContext.chips() });
    this.post({ type: "budget", budget: this.meter.budget });
  }

  /** An intent from the chat view (the view's own intents, such as opening a link, stay with `ChatViewProvider`). */
  handle(message: WebviewToHost): Promise<void> {
    return handleChatIntent(this, message);
  }

  /** The view could not show the conversation: go back to the one it shows, so a message never lands unseen. */
  viewRejectedConversation(): void {
    this.ctx.log.warn(`Chat: the view could not show conversation ${this.conversation.id}; returning to the one shown before`);
    const previous = this.shownBefore;
    if (previous && previous.id !== this.conversation.id) this.show(previous);
    else this.startNewConversation();
    this.notice("error", vscode.l10n.t("That conversation could not be shown; the chat stays where it was."));
  }

  /** A message typed into the chat view (plus attached editor context). Resolves when the answer has finished. */
  async send(text: string): Promise<void> {
    if (text.trim() === "") return;
    // Checked and claimed before the first await: a burst of messages gets one answer and "wait" for the rest.
    if (this.isGenerating) return this.notice("info", vscode.l10n.t("Wait for the answer to finish, or press Stop."));
    this.asking++;
    try {
      await sendMessage(this, text);
    } finally {
      this.asking--;
    }
  }

  /** The model's context window as last planned. */
  contextTokens(): number {
    return this.meter.budget.contextTokens;
  }

  /** `/edit`, the command, the light bulb: Edit Selection with `instruction` (empty: asked for). */
  editSelection(instruction: string): Promise<void> {
    return this.edits.start(instruction);
  }

  /**
   * Asks a question from a command (Explain Selection): an answer still running is stopped first, and the question
   * waits for it; questions asked meanwhile wait their turn.
   */
  async ask(question: ChatQuestion, options: AskOptions = {}): Promise<void> {
    const turn = this.askQueue.then(async () => {
      this.asking++;
      try {
        this.stop();
        await this.idle();
        if (options.newConversation && this.conversation.turns.length > 0) this.startNewConversation();
        await this.answer(question);
      } finally {
        this.asking--;
      }
    });
    this.askQueue = turn.catch(() => undefined);
    return turn;
  }

  /** Adds the question as a user turn and streams the answer into a new assistant turn (or puts the `cached` one there). */
  async answer(question: ChatQuestion, cached?: string): Promise<void> {
    const { feature, text, attachments } = question;
    const turn: StoredTurn = { id: newTurnId(Date.now(), randomBytes(4).toString("hex")), role: "user", text, attachments: [...attachments], feature, createdAt: Date.now() };
    if (this.conversation.turns.length === 0) this.conversation.title = titleFrom(text || attachments[0]?.label || vscode.l10n.t("New chat"));
    this.conversation.turns.push(turn);
    // Saved before the answer: a window reloaded mid-answer reopens this conversation, not the one before it.
    await this.save();
    if (cached === undefined) return this.answers.start(this.conversation);
    const now = Date.now();
    this.conversation.turns.push({ id: newTurnId(now, randomBytes(4).toString("hex")), role: "assistant", text: cached, attachments: [], fromCache: true, createdAt: now });
    // Nothing generates for a cached answer: shown as finished, with its Regenerate button (the send that asked
    // still holds the chat until it returns, so a second message cannot slip in meanwhile).
    this.post({ type: "conversation", conversation: this.view(), generating: false });
    await this.save();
  }

  /** Stops every answer of this conversation (there is at most one; a stale controller is aborted all the same). */
  stop(): void {
    this.answers.stopAll();
  }

  async regenerate(): Promise<void> {
    if (this.isGenerating) return;
    const turns = this.conversation.turns;
    while (turns.length > 0 && turns[turns.length - 1].role === "assistant") turns.pop();
    if (turns.length === 0) return;
    await this.answers.start(this.conversation);
  }

  async newChat(): Promise<void> {
    this.stop();
    await this.idle();
    this.startNewConversation();
  }

  private startNewConversation(): void {
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
    this.shownBefore = this.conversation;
    this.conversation = conversation;
    this.meter.opened(conversation.turns, CHAT_SYSTEM_PROMPT);
    this.resync();
  }

  private async restoreLast(): Promise<void> {
    const id = this.ctx.extensionContext.globalState.get<string>(LAST_KEY);
    if (!id || this.conversation.turns.length > 0) return;
    const loaded = await this.store.load(id);
    if (loaded && this.conversation.turns.length === 0 && !this.disposed) this.show(loaded);
    else if (!loaded && !this.disposed && (await this.store.list()).some((c) => c.id === id && c.damaged)) {
      // Not silently a new chat: say that the last conversation could not be read, and where it is.
      this.notice("warning", vscode.l10n.t("The last conversation could not be read; it is listed as damaged under Conversations…, where it can be opened as a file or deleted."));
    }
  }

  private async save(): Promise<void> {
    if (this.conversation.turns.length === 0) return;
    this.conversation.updatedAt = Date.now();
    try {
      await this.store.save(this.conversation);
      await this.ctx.extensionContext.globalState.update(LAST_KEY, this.conversation.id);
      // The error of an earlier failed save must not stay on screen once saving works again.
      if (this.saveFailed) this.notice("info", vscode.l10n.t("The conversation is saved again."));
      this.saveFailed = false;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`Chat: saving the conversation failed: ${message}`);
      this.saveFailed = true;
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
    this.cache.deleteConversation(id);
    if (id === this.conversation.id) await this.newChat();
  }

  private view(): ConversationView {
    return conversationView(this.conversation, this.answers.runningTurnId, this.meter.droppedTurns);
  }

  notice(level: "info" | "warning" | "error", text: string): void {
    this.post({ type: "notice", level, text });
  }

  post(message: HostToWebview): void {
    // Every start and end of an answer passes here as a "generating" flag: the status bar follows it.
    if (message.type === "generating" || message.type === "conversation") this.setGenerating(message.generating);
    this.sink?.post(message);
  }

  private setGenerating(generating: boolean): void {
    if (generating === this.lastGenerating) return;
    this.lastGenerating = generating;
    this.generatingEmitter.fire(generating);
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.sink = undefined;
    for (const s of this.subscriptions) s.dispose();
    this.generatingEmitter.dispose();
  }
}

const LAST_KEY = "privateCoder.chat.lastConversation";
