// Browser code of the chat view. It renders what the host says and sends intents back; it owns no engine,
// editor or conversation state, only view state kept with getState/setState so it survives being hidden.
import "@vscode/codicons/dist/codicon.css";
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "@vscode-elements/elements/dist/vscode-progress-bar/index.js";
import "@vscode-elements/elements/dist/vscode-textarea/index.js";
import "@vscode-elements/elements/dist/vscode-toolbar-button/index.js";
import "@vscode-elements/elements/dist/vscode-badge/index.js";
import {
  MAX_MESSAGE_CHARS,
  parseHostToWebview,
  type BudgetView,
  type ChipView,
  type ConversationView,
  type ModelViewState,
  type HostToWebview,
  type TurnView,
  type WebviewToHost,
} from "../../core/chatProtocol.ts";
import { InputCompletion } from "./completion.ts";
import { button, el, setMarkdown, toolbarButton } from "./dom.ts";
import { attachmentIcon, cachedAnswerActions, turnBadges } from "./turnBadges.ts";
import { t } from "./strings.ts";

interface VsCodeApi<State> {
  postMessage(message: WebviewToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}
declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

interface Notice {
  readonly level: "info" | "warning" | "error";
  readonly text: string;
}

interface ViewState {
  lastEngineState?: ModelViewState;
  conversation?: ConversationView;
  generating: boolean;
  chips: readonly ChipView[];
  budget?: BudgetView;
  notice?: Notice;
  draft: string;
  inputHistory: string[];
}

const vscodeApi = acquireVsCodeApi<ViewState>();
const state: ViewState = { generating: false, chips: [], draft: "", inputHistory: [], ...vscodeApi.getState() };
const post = (message: WebviewToHost): void => vscodeApi.postMessage(message);

let saveScheduled = false;
function saveState(): void {
  if (saveScheduled) return;
  saveScheduled = true;
  requestAnimationFrame(() => {
    saveScheduled = false;
    vscodeApi.setState(state);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// skeleton
// ---------------------------------------------------------------------------------------------------------------

const app = document.getElementById("app") as HTMLElement;
const header = el("header", "toolbar");
const title = el("span", "conversation-title");
const modelLabel = el("span", "model-label");
const budgetBox = el("div", "budget");
const budgetBar = el("div", "budget-bar");
const budgetFill = el("div", "budget-fill");
const budgetText = el("span", "budget-text");
budgetBar.append(budgetFill);
budgetBox.append(budgetBar, budgetText);
const titleBox = el("div", "title-box");
titleBox.append(title, modelLabel);
const actions = el("div", "toolbar-actions");
actions.append(
  toolbarButton("add", t("newChat"), () => post({ type: "newChat" }), "new-chat"),
  toolbarButton("history", t("conversations"), () => post({ type: "showHistory" }), "history"),
  toolbarButton("edit", t("renameConversation"), () => post({ type: "renameConversation" }), "rename"),
  toolbarButton("trash", t("deleteConversation"), () => post({ type: "deleteConversation" }), "delete"),
);
header.append(titleBox, actions);

const engineBox = el("div", "engine-box");
const messages = el("div", "messages");
messages.setAttribute("role", "log");
messages.setAttribute("aria-live", "polite");
messages.setAttribute("aria-label", t("conversationLabel"));
const noticeBox = el("div", "notice");
noticeBox.setAttribute("role", "status");

const composer = el("footer", "composer");
const chipsBox = el("div", "chips");
const input = document.createElement("vscode-textarea");
input.id = "chat-input";
input.setAttribute("placeholder", t("inputPlaceholder"));
input.setAttribute("rows", "3");
input.setAttribute("resize", "vertical");
input.setAttribute("aria-label", t("inputLabel"));
const composerActions = el("div", "composer-actions");
const sendButton = button(t("send"), () => send(), { icon: "send", className: "send" });
const stopButton = button(t("stop"), () => post({ type: "stop" }), { icon: "debug-stop", className: "stop" });
const regenerateButton = button(t("regenerate"), () => post({ type: "regenerate" }), { secondary: true, icon: "refresh", className: "regenerate" });
composerActions.append(budgetBox, regenerateButton, stopButton, sendButton);
composer.append(chipsBox, input, composerActions);
app.replaceChildren(header, engineBox, messages, noticeBox, composer);
const completion = new InputCompletion(input, composer, post);

// ---------------------------------------------------------------------------------------------------------------
// input: Enter sends, Shift+Enter newline, Up/Down walk the history
// ---------------------------------------------------------------------------------------------------------------

let historyIndex = -1;

function inputValue(): string {
  return (input as unknown as { value: string }).value ?? "";
}
function setInputValue(value: string): void {
  (input as unknown as { value: string }).value = value;
}

function send(): void {
  const text = inputValue();
  if (text.trim() === "" || state.generating) return;
  if (text.length > MAX_MESSAGE_CHARS) {
    // Refused here, visibly, and the text stays in the input: the host would drop the message as malformed.
    state.notice = { level: "error", text: t("messageTooLong", text.length.toLocaleString(), MAX_MESSAGE_CHARS.toLocaleString()) };
    renderNotice();
    return;
  }
  post({ type: "send", text });
  historyIndex = -1;
  setInputValue("");
  state.draft = "";
  saveState();
}

/** The input history keeps what was sent as the model saw it (`inputAccepted`), never raw secrets: it is saved. */
function rememberInput(text: string): void {
  state.inputHistory = [...state.inputHistory.filter((h) => h !== text), text].slice(-50);
  saveState();
}

input.addEventListener("keydown", (event: KeyboardEvent) => {
  if (event.isComposing) return;
  if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    send();
    return;
  }
  const value = inputValue();
  const browsing = historyIndex !== -1 && value === state.inputHistory[historyIndex];
  if (event.key === "ArrowUp" && (value === "" || browsing) && state.inputHistory.length > 0) {
    event.preventDefault();
    historyIndex = historyIndex === -1 ? state.inputHistory.length - 1 : Math.max(0, historyIndex - 1);
    setInputValue(state.inputHistory[historyIndex]);
  } else if (event.key === "ArrowDown" && browsing) {
    event.preventDefault();
    historyIndex = historyIndex + 1 < state.inputHistory.length ? historyIndex + 1 : -1;
    setInputValue(historyIndex === -1 ? "" : state.inputHistory[historyIndex]);
  } else if (event.key === "Escape" && state.generating) {
    post({ type: "stop" });
  }
});
input.addEventListener("input", () => {
  state.draft = inputValue();
  saveState();
});

// Links open only when the user clicks (or presses Enter on) them, and only through the host's checks.
function openLinkFrom(event: Event): void {
  const target = (event.target as Element | null)?.closest<HTMLElement>("[data-href]");
  if (!target) return;
  event.preventDefault();
  const href = target.dataset.href;
  if (href) post({ type: "openLink", href });
}
messages.addEventListener("click", openLinkFrom);
messages.addEventListener("keydown", (event: KeyboardEvent) => {
  if (event.key === "Enter") openLinkFrom(event);
});

// ---------------------------------------------------------------------------------------------------------------
// rendering
// ---------------------------------------------------------------------------------------------------------------

function onCodeAction(action: "copy" | "insert" | "apply", code: string, language: string, source: HTMLElement): void {
  if (action !== "copy") {
    post({ type: "codeAction", action, code, language });
    return;
  }
  const old = source.textContent;
  source.textContent = t("codeCopied");
  setTimeout(() => (source.textContent = old), 1500);
  // The webview's own clipboard access works while it has focus (the user just clicked); else the host copies.
  navigator.clipboard.writeText(code).catch(() => post({ type: "codeAction", action, code, language }));
}

function renderEngine(engine: ModelViewState | undefined): void {
  engineBox.replaceChildren();
  modelLabel.textContent = "";
  modelLabel.title = "";
  if (!engine) return;
  if (engine.kind === "idle" || engine.kind === "ready") {
    modelLabel.textContent = engine.modelName;
    modelLabel.title = engine.kind === "ready" ? (engine.details ?? t("modelLoaded")) : t("modelLoadsOnFirstUse");
    return;
  }
  const panel = el("section", `model-state model-state--${engine.kind}`);
  panel.dataset.state = engine.kind;
  switch (engine.kind) {
    case "noModel":
      panel.append(
        el("h2", "title", t("noModelTitle")),
        el("p", "hint", t("noModelHint")),
        button(t("selectModel"), () => post({ type: "selectModel" })),
      );
      break;
    case "loading": {
      const progress = document.createElement("vscode-progress-bar");
      progress.setAttribute("value", String(Math.round(engine.progress * 100)));
      progress.setAttribute("max", "100");
      const title = engine.starting ? t("startingEngine", engine.modelName) : t("loadingModel", engine.modelName, Math.round(engine.progress * 100));
      panel.append(el("h2", "title", title), progress);
      break;
    }
    case "crashed":
      panel.append(
        el("h2", "title", t("engineStoppedTitle")),
        el("p", "error", engine.message),
        button(t("restartEngine"), () => post({ type: "restartEngine" })),
        button(t("openLogs"), () => post({ type: "showLogs" }), { secondary: true }),
      );
      break;
    case "error":
      panel.append(
        el("h2", "title", t("errorTitle")),
        el("p", "error", engine.message),
        button(t("selectModel"), () => post({ type: "selectModel" }), { secondary: true }),
        button(t("openLogs"), () => post({ type: "showLogs" }), { secondary: true }),
      );
      break;
  }
  engineBox.append(panel);
}

function attachmentChip(turn: TurnView, index: number): HTMLElement {
  const a = turn.attachments[index];
  const chip = el("button", "attachment");
  chip.type = "button";
  chip.append(el("span", `codicon codicon-${attachmentIcon(a.kind)}`), el("span", "label", a.label || a.kind));
  if (a.redactions > 0) chip.append(el("span", "redactions", redactedText(a.redactions)));
  chip.title = t("attachmentTitle");
  chip.addEventListener("click", () => post({ type: "showAttachment", turnId: turn.id, index }));
  return chip;
}

function redactedText(count: number): string {
  return count === 1 ? t("oneSecretRedacted") : t("secretsRedacted", count);
}

function turnStatus(turn: TurnView): string {
  if (turn.error) return "";
  switch (turn.stopReason) {
    case "abort":
      return t("stoppedByUser");
    case "maxTokens":
      return t("stoppedAtMaxTokens");
    case "contextFull":
    case "timeBudget":
      return t("stoppedContextFull");
    default:
      return "";
  }
}

function renderTurn(turn: TurnView): HTMLElement {
  const article = el("article", `turn turn--${turn.role}${turn.dropped ? " turn--dropped" : ""}${turn.streaming ? " turn--streaming" : ""}`);
  article.dataset.turnId = turn.id;
  const meta = el("div", "turn-meta");
  meta.append(el("span", "turn-role", turn.role === "user" ? t("roleUser") : t("roleAssistant")));
  if (turn.dropped) meta.append(el("span", "turn-dropped", t("turnDropped")));
  meta.append(...turnBadges(turn));
  article.append(meta);
  if (turn.attachments.length > 0) {
    const list = el("div", "attachments");
    turn.attachments.forEach((_, i) => list.append(attachmentChip(turn, i)));
    article.append(list);
  }
  const body = el("div", "markdown");
  if (turn.text === "" && turn.streaming) body.append(el("span", "thinking", "…"));
  else setMarkdown(body, turn.text, onCodeAction);
  article.append(body);
  if (turn.truncatedFrom !== undefined) {
    // A very long turn is sent cut; the whole text opens in an editor.
    const cut = el("div", "turn-truncated", t("turnTruncated", turn.text.length.toLocaleString(), turn.truncatedFrom.toLocaleString()));
    cut.append(button(t("openFullText"), () => post({ type: "showTurn", turnId: turn.id }), { secondary: true, className: "open-full-text" }));
    article.append(cut);
  }
  const status = turnStatus(turn);
  if (status) article.append(el("div", "turn-status", status));
  if (turn.error) article.append(el("div", "turn-error", turn.error));
  const cached = cachedAnswerActions(turn, state.conversation?.turns.at(-1)?.id === turn.id, state.generating, () => post({ type: "regenerate" }));
  if (cached) article.append(cached);
  return article;
}

function renderConversation(): void {
  const conversation = state.conversation;
  title.textContent = conversation?.title ?? t("untitledConversation");
  title.title = title.textContent;
  const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
  if (!conversation || conversation.turns.length === 0) {
    const empty = el("div", "chat-empty");
    empty.append(
      el("p", "", t("emptyPrompt")),
      el("p", "hint", t("emptyHint")),
    );
    messages.replaceChildren(empty);
  } else messages.replaceChildren(...conversation.turns.map(renderTurn));
  if (stick || state.generating) messages.scrollTop = messages.scrollHeight;
}

/** Re-renders one turn in place (streaming); coalesced to one render per frame. */
const pendingTurns = new Set<string>();
function scheduleTurn(turnId: string): void {
  if (pendingTurns.size === 0) {
    requestAnimationFrame(() => {
      const stick = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
      for (const id of pendingTurns) {
        const turn = state.conversation?.turns.find((t) => t.id === id);
        const old = messages.querySelector(`[data-turn-id="${CSS.escape(id)}"]`);
        if (turn && old) old.replaceWith(renderTurn(turn));
      }
      pendingTurns.clear();
      if (stick) messages.scrollTop = messages.scrollHeight;
    });
  }
  pendingTurns.add(turnId);
}

function renderChips(): void {
  chipsBox.replaceChildren();
  for (const chip of state.chips) {
    const box = el("span", `chip chip--${chip.kind}${chip.attached ? " chip--attached" : ""}${chip.unavailable ? " chip--unavailable" : ""}`);
    box.dataset.kind = chip.kind;
    const toggle = el("button", "chip-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-pressed", String(chip.attached));
    toggle.disabled = chip.unavailable !== undefined;
    toggle.title = chip.unavailable
      ? t("chipUnavailable", chip.unavailable)
      : chip.attached
        ? t("chipAttached")
        : t("chipDetached");
    toggle.append(
      el("span", `codicon codicon-${chip.attached ? "check" : chip.kind === "file" ? "file" : "selection"}`),
      el("span", "label", chip.kind === "selection" ? t("chipSelection", chip.label) : chip.label),
    );
    toggle.addEventListener("click", () => post({ type: "setChip", kind: chip.kind, attached: !chip.attached }));
    box.append(toggle);
    if (chip.redactions > 0 || chip.unavailable) {
      const show = el("button", "chip-redactions", chip.unavailable ? t("chipExcluded") : redactedText(chip.redactions));
      show.type = "button";
      show.title = t("chipShowTitle");
      show.addEventListener("click", () => post({ type: "showChip", kind: chip.kind }));
      box.append(show);
    } else {
      const show = el("button", "chip-show codicon codicon-eye");
      show.type = "button";
      show.title = t("chipShowTitle");
      show.setAttribute("aria-label", t("chipShowLabel"));
      show.addEventListener("click", () => post({ type: "showChip", kind: chip.kind }));
      box.append(show);
    }
    chipsBox.append(box);
  }
}

function formatTokens(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}

function renderBudget(): void {
  const b = state.budget;
  if (!b || b.contextTokens === 0) {
    budgetBox.hidden = true;
    return;
  }
  budgetBox.hidden = false;
  const share = Math.min(1, b.usedTokens / b.contextTokens);
  budgetFill.style.width = `${Math.round(share * 100)}%`;
  budgetBox.classList.toggle("budget--high", share > 0.75);
  budgetText.textContent = `${b.estimated ? "~" : ""}${formatTokens(b.usedTokens)} / ${formatTokens(b.contextTokens)}`;
  budgetBox.title = [
    t(b.estimated ? "budgetEstimated" : "budgetExact", b.usedTokens, b.contextTokens),
    ...(b.droppedTurns > 0 ? [t("budgetDropped", b.droppedTurns)] : []),
  ].join("\n");
}

function renderComposer(): void {
  stopButton.hidden = !state.generating;
  sendButton.hidden = state.generating;
  const turns = state.conversation?.turns ?? [];
  regenerateButton.hidden = state.generating || !turns.some((t) => t.role === "assistant");
  app.classList.toggle("generating", state.generating);
}

function renderNotice(): void {
  noticeBox.replaceChildren();
  if (!state.notice) return;
  noticeBox.className = `notice notice--${state.notice.level}`;
  const close = el("button", "notice-close codicon codicon-close");
  close.type = "button";
  close.setAttribute("aria-label", t("dismiss"));
  close.addEventListener("click", () => {
    state.notice = undefined;
    renderNotice();
    saveState();
  });
  noticeBox.append(el("span", "", state.notice.text), close);
}

function renderAll(): void {
  renderEngine(state.lastEngineState);
  renderConversation();
  renderChips();
  renderBudget();
  renderComposer();
  renderNotice();
}

// ---------------------------------------------------------------------------------------------------------------
// host messages
// ---------------------------------------------------------------------------------------------------------------

function onMessage(message: HostToWebview): void {
  switch (message.type) {
    case "modelState":
      state.lastEngineState = message.state;
      renderEngine(message.state);
      break;
    case "conversation":
      if (state.conversation?.id !== message.conversation.id) state.notice = undefined;
      state.conversation = message.conversation;
      state.generating = message.generating;
      renderConversation();
      renderComposer();
      renderNotice();
      break;
    case "chunk": {
      const turns = state.conversation?.turns;
      const index = turns?.findIndex((t) => t.id === message.turnId) ?? -1;
      if (!turns || !state.conversation || index === -1) return;
      const updated = [...turns];
      updated[index] = { ...turns[index], text: turns[index].text + message.text };
      state.conversation = { ...state.conversation, turns: updated };
      scheduleTurn(message.turnId);
      break;
    }
    case "turnEnd": {
      const turns = state.conversation?.turns;
      const index = turns?.findIndex((t) => t.id === message.turn.id) ?? -1;
      if (!turns || !state.conversation || index === -1) return;
      const updated = [...turns];
      updated[index] = message.turn;
      state.conversation = { ...state.conversation, turns: updated };
      scheduleTurn(message.turn.id);
      break;
    }
    case "generating":
      state.generating = message.generating;
      renderComposer();
      break;
    case "chips":
      state.chips = message.chips;
      renderChips();
      break;
    case "budget":
      state.budget = message.budget;
      renderBudget();
      break;
    case "notice":
      state.notice = { level: message.level, text: message.text };
      renderNotice();
      break;
    case "inputAccepted":
      rememberInput(message.text);
      break;
    case "mentionItems":
      completion.onItems(message.requestId, message.items);
      break;
    case "codeActionDone":
      if (!message.ok && message.action !== "copy") {
        state.notice = { level: "info", text: message.action === "apply" ? t("notApplied") : t("notInserted") };
        renderNotice();
      }
      break;
  }
  saveState();
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const message = parseHostToWebview(event.data);
  if (!message) {
    // Metadata only: never the content.
    const type = (event.data as { type?: unknown } | null)?.type;
    console.warn(`Private Coder chat: dropped a malformed message from the host (type ${typeof type === "string" ? type.slice(0, 40) : typeof type})`);
    // A conversation this view cannot show must not become the host's current one behind the view's back.
    if (type === "conversation") post({ type: "conversationRejected" });
    return;
  }
  onMessage(message);
});

// Show the last known state at once (the view was hidden and recreated), then ask the host for the current one.
setInputValue(state.draft);
renderAll();
post({ type: "ready" });
