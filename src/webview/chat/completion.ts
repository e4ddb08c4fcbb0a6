// Completion in the chat input: `/` at the start offers the slash commands, `@` the context items, and `@file:` /
// `@symbol:` ask the host for matching files and symbols as the user types. ↑/↓ move, Enter or Tab inserts,
// Escape closes. The list only edits the input; the host parses what is finally sent.
import type { MentionItemView, WebviewToHost } from "../../core/chatProtocol.ts";
import { MENTION_KINDS, MENTIONS_WITH_ARG, mentionText, tokenAt, type MentionKind } from "../../core/chat/mentions.ts";
import { completeSlash, type SlashCommand } from "../../core/chat/slashCommands.ts";
import type { ChatStringKey } from "../../core/webviewStrings.ts";
import { el } from "./dom.ts";
import { t } from "./strings.ts";

interface Item {
  readonly label: string;
  readonly detail: string;
  /** Replaces the token being typed. */
  readonly insert: string;
  /** Keep the list open after inserting (`@file:` goes on to the file list). */
  readonly reopen?: boolean;
}

const SLASH_HELP: Record<SlashCommand, ChatStringKey> = {
  explain: "slashExplain",
  fix: "slashFix",
  tests: "slashTests",
  doc: "slashDoc",
  edit: "slashEdit",
  clear: "slashClear",
};
const MENTION_HELP: Record<MentionKind, ChatStringKey> = {
  file: "mentionFile",
  selection: "mentionSelection",
  problems: "mentionProblems",
  changes: "mentionChanges",
  terminal: "mentionTerminal",
  symbol: "mentionSymbol",
};

interface TextArea {
  value: string;
  readonly wrappedElement?: HTMLTextAreaElement;
}

export class InputCompletion {
  private readonly list = el("ul", "completion");
  private items: Item[] = [];
  private active = 0;
  private token: { start: number; end: number } | undefined;
  private requestId = 0;
  private waitingFor: { id: number; kind: "file" | "symbol" } | undefined;

  constructor(
    private readonly input: HTMLElement,
    container: HTMLElement,
    private readonly post: (message: WebviewToHost) => void,
  ) {
    this.list.id = "completion";
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    container.append(this.list);
    input.addEventListener("input", () => this.update());
    input.addEventListener("click", () => this.update());
    input.addEventListener("blur", () => setTimeout(() => this.hide(), 150));
    // Capture: runs before the input's own keys (Enter sends, ↑ walks the history) while the list is open.
    input.addEventListener("keydown", (event: KeyboardEvent) => this.onKey(event), { capture: true });
  }

  get open(): boolean {
    return !this.list.hidden;
  }

  /** The host's answer to a `mentionQuery`; answers to older queries are ignored. */
  onItems(requestId: number, items: readonly MentionItemView[]): void {
    if (!this.waitingFor || requestId !== this.waitingFor.id) return;
    const kind = this.waitingFor.kind;
    this.waitingFor = undefined;
    this.show(items.map((i) => ({ label: i.label, detail: i.detail ?? "", insert: `${mentionText(kind, i.label)} ` })));
  }

  private area(): TextArea {
    return this.input as unknown as TextArea;
  }

  private cursor(): number {
    return this.area().wrappedElement?.selectionStart ?? this.area().value.length;
  }

  private update(): void {
    const value = this.area().value ?? "";
    const cursor = this.cursor();
    const token = tokenAt(value, cursor);
    if (!token) return this.hide();
    this.token = { start: token.start, end: cursor };
    if (token.kind === "slash") {
      return this.show(completeSlash(token.query).map((c) => ({ label: `/${c}`, detail: t(SLASH_HELP[c]), insert: `/${c} ` })));
    }
    const colon = token.query.indexOf(":");
    if (colon === -1) {
      const prefix = token.query.toLowerCase();
      return this.show(
        MENTION_KINDS.filter((k) => k.startsWith(prefix)).map((k) =>
          MENTIONS_WITH_ARG.has(k) ? { label: `@${k}:`, detail: t(MENTION_HELP[k]), insert: `@${k}:`, reopen: true } : { label: `@${k}`, detail: t(MENTION_HELP[k]), insert: `@${k} ` },
        ),
      );
    }
    const kind = token.query.slice(0, colon).toLowerCase();
    if (kind !== "file" && kind !== "symbol") return this.hide();
    this.waitingFor = { id: ++this.requestId, kind };
    this.post({ type: "mentionQuery", requestId: this.requestId, kind, query: token.query.slice(colon + 1).replace(/^"/, "") });
  }

  private show(items: Item[]): void {
    this.items = items;
    this.active = 0;
    this.list.replaceChildren();
    if (items.length === 0) {
      this.list.append(el("li", "completion-empty", t("completionNone")));
    }
    items.forEach((item, i) => {
      const li = el("li", `completion-item${i === this.active ? " completion-item--active" : ""}`);
      li.setAttribute("role", "option");
      li.append(el("span", "completion-label", item.label), el("span", "completion-detail", item.detail));
      li.addEventListener("mousedown", (event) => {
        event.preventDefault();
        this.accept(i);
      });
      this.list.append(li);
    });
    this.list.hidden = false;
  }

  private hide(): void {
    this.list.hidden = true;
    this.items = [];
    this.waitingFor = undefined;
  }

  private onKey(event: KeyboardEvent): void {
    if (!this.open || event.isComposing) return;
    const handled = (): void => {
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    if (event.key === "Escape") {
      handled();
      this.hide();
    } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && this.items.length > 0) {
      handled();
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : this.items.length - 1)) % this.items.length;
      this.list.querySelectorAll(".completion-item").forEach((li, i) => li.classList.toggle("completion-item--active", i === this.active));
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && this.items.length > 0) {
      handled();
      this.accept(this.active);
    }
  }

  private accept(index: number): void {
    const item = this.items[index];
    const token = this.token;
    if (!item || !token) return;
    const area = this.area();
    const value = area.value ?? "";
    area.value = value.slice(0, token.start) + item.insert + value.slice(token.end);
    const at = token.start + item.insert.length;
    area.wrappedElement?.focus();
    area.wrappedElement?.setSelectionRange(at, at);
    this.input.dispatchEvent(new Event("input"));
    if (!item.reopen) this.hide();
  }
}
