/**
 * The chat's host side: the current conversation, generation (streaming, Stop, Regenerate), history budgeting,
 * persistence, and the intents the webview sends. The webview is only a view: everything it shows comes from here,
 * so it can be torn down and rebuilt at any time (`resync`).
 */
import * as vscode from "vscode";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { BudgetView, ConversationView, HostToWebview, TurnView, WebviewToHost } from "../../core/chatProtocol";
import { newConversationId, type StoredAttachment, type StoredConversation, type StoredTurn } from "../../core/chat/conversation";
import { answerReserve, estimateTokens, planHistory } from "../../core/chat/history";
import { CHAT_SYSTEM_PROMPT, titleFrom, userTurnText } from "../../core/chat/prompt";
import type { InferenceBackend } from "../../core/backend";
import type { Ctx } from "../ctx";
import type { BackendRegistry } from "../backendRegistry";
import { runCodeAction } from "./codeActions";
import { ConversationStore } from "./conversationStore";
import { EditorContext, VirtualDocuments } from "./editorContext";
import { ModelInput } from "./modelInput";
import type { SafetyService } from "../safety";

/** Where the controller's messages go: the chat view when it is open. */
export interface ChatSink {
  post(message: HostToWebview): void;
}

interface Generation {
  readonly abort: AbortController;
  readonly turnId: string;
  readonly done: Promise<void>;
}

const DEFAULT_CONTEXT = 4096;

function turnId(): string {
  return `t${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ChatController implements vscode.Disposable {
  readonly store: ConversationStore;
  readonly input: ModelInput;
  readonly documents: VirtualDocuments;
  readonly editorContext: EditorContext;
  private conversation: StoredConversation;
  private generation: Generation | undefined;
  private sink: ChatSink | undefined;
  private budget: BudgetView = { usedTokens: 0, contextTokens: DEFAULT_CONTEXT, droppedTurns: 0, estimated: true };
  private dropped = new Set<string>();
  private readonly tokenCache = new Map<string, number>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;
  /** Chunks handed to the view (for tests and diagnostics). */
  chunksPosted = 0;

  constructor(
    private readonly ctx: Ctx,
    private readonly engine: BackendRegistry,
    safety: SafetyService,
  ) {
    this.store = new ConversationStore(path.join(ctx.extensionContext.globalStorageUri.fsPath, "conversations"), (m) => ctx.log.warn(`Chat store: ${m}`));
    this.input = new ModelInput(safety);
    this.documents = new VirtualDocuments();
    this.editorContext = new EditorContext(this.input, this.documents);
    this.subscriptions.push(this.input, this.documents, this.editorContext, this.editorContext.onDidChange(() => this.post({ type: "chips", chips: this.editorContext.chips() })));
    this.conversation = this.emptyConversation();
    void this.restoreLast();
  }

  /** The conversation shown now (tests read it). */
  get current(): StoredConversation {
    return this.conversation;
  }

  get isGenerating(): boolean {
    return this.generation !== undefined;
  }

  /** Resolves when the running generation (if any) has finished and been saved. */
  async idle(): Promise<void> {
    await this.generation?.done;
  }

  attach(sink: ChatSink | undefined): void {
    this.sink = sink;
  }

  /** Sends everything the view shows (after the ready handshake or a reload of the view). */
  resync(): void {
    this.post({ type: "conversation", conversation: this.view(), generating: this.isGenerating });
    this.post({ type: "chips", chips: this.editorContext.chips() });
    this.post({ type: "budget", budget: this.budget });
  }

  async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case "send":
        await this.send(message.text);
        return;
      case "stop":
        this.stop();
        return;
      case "regenerate":
        await this.regenerate();
        return;
      case "newChat":
        await this.newChat();
        return;
      case "showHistory":
        await this.showHistory();
        return;
      case "renameConversation":
        await this.renameInteractive(this.conversation.id);
        return;
      case "deleteConversation":
        await this.deleteInteractive(this.conversation.id);
        return;
      case "setChip":
        this.editorContext.setAttached(message.kind, message.attached);
        return;
      case "showChip":
        await this.editorContext.show(message.kind);
        return;
      case "showAttachment":
        await this.showAttachment(message.turnId, message.index);
        return;
      case "codeAction": {
        const ok = await runCodeAction(message.action, message.code, this.editorContext.lastEditor, this.documents);
        this.post({ type: "codeActionDone", action: message.action, ok });
        return;
      }
      case "openLink":
        await openLink(message.href, this.ctx);
        return;
      default:
        return;
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // conversation
  // ---------------------------------------------------------------------------------------------------------

  /** A typed message (plus attached editor context). Resolves when the answer has finished. */
  async send(text: string): Promise<void> {
    if (text.trim() === "") return;
    if (this.isGenerating) {
      this.notice("info", "Wait for the answer to finish, or press Stop.");
      return;
    }
    const filtered = await this.input.userMessage(text);
    if (filtered.refused) {
      this.notice("error", `Not sent: the message ${filtered.refused}.`);
      return;
    }
    const attachments = await this.editorContext.takeAttachments();
    const redactions = filtered.result.redactions.length;
    if (redactions > 0) this.notice("warning", `${redactions} secret${redactions === 1 ? " was" : "s were"} redacted from your message before it reached the model.`);
    await this.ask(filtered.result.text, attachments);
  }

  /**
   * Adds a user turn (its text and attachments already filtered by the caller through `ModelInput`) and streams
   * the answer into a new assistant turn.
   */
  async ask(filteredText: string, attachments: readonly StoredAttachment[]): Promise<void> {
    if (this.isGenerating) {
      this.stop();
      await this.idle();
    }
    const now = Date.now();
    const turn: StoredTurn = { id: turnId(), role: "user", text: filteredText, attachments: [...attachments], createdAt: now };
    if (this.conversation.turns.length === 0) this.conversation.title = titleFrom(filteredText || attachments[0]?.label || "New chat");
    this.conversation.turns.push(turn);
    await this.generate();
  }

  stop(): void {
    this.generation?.abort.abort();
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
    this.conversation = this.emptyConversation();
    this.dropped.clear();
    this.budget = { ...this.budget, usedTokens: 0, droppedTurns: 0 };
    this.resync();
  }

  async open(id: string): Promise<boolean> {
    this.stop();
    await this.idle();
    const loaded = await this.store.load(id);
    if (!loaded) return false;
    this.conversation = loaded;
    this.dropped.clear();
    this.budget = { ...this.budget, usedTokens: this.estimateUsed(), droppedTurns: 0, estimated: true };
    await this.ctx.extensionContext.globalState.update(LAST_KEY, id);
    this.resync();
    return true;
  }

  private async restoreLast(): Promise<void> {
    const id = this.ctx.extensionContext.globalState.get<string>(LAST_KEY);
    if (!id || this.conversation.turns.length > 0) return;
    const loaded = await this.store.load(id);
    if (loaded && this.conversation.turns.length === 0 && !this.disposed) {
      this.conversation = loaded;
      this.budget = { ...this.budget, usedTokens: this.estimateUsed(), estimated: true };
      this.resync();
    }
  }

  private emptyConversation(): StoredConversation {
    const now = Date.now();
    return { format: 1, id: newConversationId(now, randomBytes(6).toString("hex")), title: "New chat", createdAt: now, updatedAt: now, turns: [] };
  }

  private async save(): Promise<void> {
    if (this.conversation.turns.length === 0) return;
    this.conversation.updatedAt = Date.now();
    try {
      await this.store.save(this.conversation);
      await this.ctx.extensionContext.globalState.update(LAST_KEY, this.conversation.id);
    } catch (error) {
      this.ctx.log.error(`Chat: saving the conversation failed: ${errorText(error)}`);
      this.notice("error", `The conversation could not be saved: ${errorText(error)}`);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // generation
  // ---------------------------------------------------------------------------------------------------------

  private generate(): Promise<void> {
    const abort = new AbortController();
    const assistant: StoredTurn = { id: turnId(), role: "assistant", text: "", attachments: [], createdAt: Date.now() };
    const history = [...this.conversation.turns];
    this.conversation.turns.push(assistant);
    const done = this.run(history, assistant, abort.signal).finally(async () => {
      this.generation = undefined;
      this.post({ type: "turnEnd", turn: this.turnView(assistant, false) });
      this.post({ type: "generating", generating: false });
      await this.save();
    });
    this.generation = { abort, turnId: assistant.id, done };
    this.post({ type: "conversation", conversation: this.view(), generating: true });
    return done;
  }

  private async run(history: readonly StoredTurn[], assistant: StoredTurn, signal: AbortSignal): Promise<void> {
    const started = Date.now();
    try {
      // Stop during a model load ends this turn at once; the load itself goes on (the next message needs it).
      const info = await untilAborted(this.engine.ensureModel("chat"), signal);
      const backend = await untilAborted(this.engine.backendFor("chat"), signal);
      const contextTokens = info.contextSize || DEFAULT_CONTEXT;
      const reserve = answerReserve(contextTokens);
      const counts = await Promise.all(history.map((t) => this.tokens(backend, t)));
      const systemTokens = await this.countText(backend, "system", CHAT_SYSTEM_PROMPT);
      const plan = planHistory(
        history.map((t, i) => ({ id: t.id, role: t.role, tokens: counts[i] })),
        { contextTokens, reserveTokens: reserve, systemTokens },
      );
      if (!plan.fits) {
        throw new Error(`The message and its attachments are too long for the model's context window (${contextTokens} tokens). Attach less, or select a smaller part.`);
      }
      const newlyDropped = plan.dropped.filter((id) => !this.dropped.has(id));
      this.dropped = new Set(plan.dropped);
      this.budget = { usedTokens: plan.usedTokens, contextTokens, droppedTurns: plan.dropped.length, estimated: false };
      this.post({ type: "budget", budget: this.budget });
      if (newlyDropped.length > 0) {
        this.notice("warning", `The conversation is longer than the model's context window: the ${plan.dropped.length} oldest message(s) are no longer sent to the model. Start a new chat to begin fresh.`);
        this.post({ type: "conversation", conversation: this.view(), generating: true });
      }
      const included = new Set(plan.included);
      const messages = history.filter((t) => included.has(t.id)).map((t) => ({ role: t.role, text: modelText(t) }));
      const sanitizer = this.input.outputSanitizer();
      // Explain Selection turns carry an "explain" attachment: record them under their own feature.
      const feature = history[history.length - 1]?.attachments?.some((a) => a.kind === "explain") ? "explain" : "chat";
      this.input.recordSent(
        feature,
        `${feature}: ${this.conversation.title}`,
        [`[system]\n${CHAT_SYSTEM_PROMPT}`, ...messages.map((m) => `[${m.role}]\n${m.text}`)].join("\n\n"),
        [],
      );
      const result = await backend.chat(
        { messages, systemPrompt: CHAT_SYSTEM_PROMPT, maxTokens: reserve },
        {
          signal,
          onChunk: (chunk) => {
            const safe = sanitizer.push(chunk);
            if (safe === "") return;
            assistant.text += safe;
            this.chunksPosted++;
            this.post({ type: "chunk", turnId: assistant.id, text: safe });
          },
        },
      );
      const rest = sanitizer.end();
      if (rest) {
        assistant.text += rest;
        this.post({ type: "chunk", turnId: assistant.id, text: rest });
      }
      const reason = result.metrics.stopReason;
      if (reason === "abort" || reason === "maxTokens" || reason === "contextFull" || reason === "timeBudget") assistant.stopReason = reason;
      if (result.contextShifted) this.notice("warning", "The conversation did not fit the context window; the model dropped its oldest part for this answer.");
      const answerTokens = await this.tokens(backend, assistant).catch(() => estimateTokens(assistant.text));
      this.budget = { ...this.budget, usedTokens: this.budget.usedTokens + answerTokens };
      this.post({ type: "budget", budget: this.budget });
      this.ctx.log.info(
        `Chat: answered in ${Date.now() - started} ms (${result.metrics.promptTokens} prompt tokens, ${result.metrics.generatedTokens} generated, stop: ${reason}, ${plan.dropped.length} turn(s) dropped)`,
      );
    } catch (error) {
      if (signal.aborted) {
        assistant.stopReason = "abort";
        return;
      }
      const message = errorText(error);
      assistant.error = message;
      this.ctx.log.warn(`Chat: generation failed: ${message}`);
    }
  }

  private async tokens(backend: InferenceBackend, turn: StoredTurn): Promise<number> {
    return this.countText(backend, `${turn.id}:${turn.text.length}`, modelText(turn));
  }

  private async countText(backend: InferenceBackend, key: string, text: string): Promise<number> {
    const cached = this.tokenCache.get(key);
    if (cached !== undefined) return cached;
    let count: number;
    try {
      count = await backend.countTokens(text, { role: "chat" });
    } catch {
      count = estimateTokens(text);
    }
    if (this.tokenCache.size > 2000) this.tokenCache.clear();
    this.tokenCache.set(key, count);
    return count;
  }

  private estimateUsed(): number {
    return this.conversation.turns.reduce((sum, t) => sum + estimateTokens(modelText(t)) + 8, estimateTokens(CHAT_SYSTEM_PROMPT));
  }

  // ---------------------------------------------------------------------------------------------------------
  // history list, rename, delete
  // ---------------------------------------------------------------------------------------------------------

  async showHistory(): Promise<void> {
    const rename: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("edit"), tooltip: "Rename" };
    const remove: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("trash"), tooltip: "Delete" };
    type Item = vscode.QuickPickItem & { id: string };
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = "Private Coder: Conversations";
    pick.placeholder = "Open a saved conversation";
    const load = async (): Promise<void> => {
      const list = await this.store.list();
      pick.items = list.map((c) => ({
        id: c.id,
        label: c.title,
        description: `${c.turnCount} message${c.turnCount === 1 ? "" : "s"}`,
        detail: new Date(c.updatedAt).toLocaleString(),
        buttons: [rename, remove],
      }));
      if (list.length === 0) pick.placeholder = "No saved conversations yet";
    };
    await load();
    await new Promise<void>((resolve) => {
      pick.onDidTriggerItemButton(async (e) => {
        if (e.button === rename) await this.renameInteractive(e.item.id);
        else await this.deleteInteractive(e.item.id);
        await load();
        pick.show();
      });
      pick.onDidAccept(async () => {
        const item = pick.selectedItems[0];
        pick.hide();
        if (item) await this.open(item.id);
      });
      pick.onDidHide(() => {
        pick.dispose();
        resolve();
      });
      pick.show();
    });
  }

  async rename(id: string, title: string): Promise<void> {
    if (id === this.conversation.id) {
      this.conversation.title = title.trim().slice(0, 200) || this.conversation.title;
      await this.save();
      this.resync();
    } else await this.store.rename(id, title);
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(id);
    if (id === this.conversation.id) await this.newChat();
  }

  private async renameInteractive(id: string): Promise<void> {
    const current = id === this.conversation.id ? this.conversation.title : (await this.store.load(id))?.title;
    const title = await vscode.window.showInputBox({ title: "Rename conversation", value: current ?? "", validateInput: (v) => (v.trim() === "" ? "Enter a name" : undefined) });
    if (title !== undefined) await this.rename(id, title);
  }

  private async deleteInteractive(id: string): Promise<void> {
    const title = id === this.conversation.id ? this.conversation.title : (await this.store.load(id))?.title;
    const choice = await vscode.window.showWarningMessage(`Delete the conversation "${title ?? id}"?`, { modal: true }, "Delete");
    if (choice === "Delete") await this.delete(id);
  }

  private async showAttachment(id: string, index: number): Promise<void> {
    const attachment = this.conversation.turns.find((t) => t.id === id)?.attachments[index];
    if (!attachment) return;
    const header = `# Private Coder: exactly what the chat model received for ${attachment.label} (${attachment.redactions} redaction(s))\n`;
    await this.documents.show(`${attachment.kind}-${attachment.label.replace(/[^\w.-]+/g, "_")}.txt`, header + attachment.text);
  }

  // ---------------------------------------------------------------------------------------------------------
  // view
  // ---------------------------------------------------------------------------------------------------------

  private view(): ConversationView {
    const streaming = this.generation?.turnId;
    return { id: this.conversation.id, title: this.conversation.title, turns: this.conversation.turns.map((t) => this.turnView(t, t.id === streaming)) };
  }

  private turnView(t: StoredTurn, streaming: boolean): TurnView {
    return {
      id: t.id,
      role: t.role,
      text: t.text,
      attachments: t.attachments.map((a) => ({ kind: a.kind, label: a.label, redactions: a.redactions })),
      streaming,
      dropped: this.dropped.has(t.id),
      ...(t.stopReason ? { stopReason: t.stopReason } : {}),
      ...(t.error ? { error: t.error.slice(0, 4000) } : {}),
    };
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

/** `promise`, or a rejection as soon as `signal` aborts (the work behind `promise` is not cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error("stopped"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error("stopped"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** A stored user turn as the model sees it. */
function modelText(turn: StoredTurn): string {
  return turn.role === "user" ? userTurnText(turn.text, turn.attachments) : turn.text;
}

/** Opens a link from a chat message: only http(s), only after the user clicked it (the view sends this on click). */
export async function openLink(href: string, ctx: Ctx): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    ctx.log.warn("Chat: ignored a link that is not a valid URL");
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.log.warn(`Chat: ignored a ${url.protocol} link (only http and https open)`);
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(url.toString(), true));
}
