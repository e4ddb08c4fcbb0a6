// DOM helpers of the chat view: sanitized Markdown insertion, code-block buttons, small element builders.
import DOMPurify from "dompurify";
import { renderMarkdown } from "./markdown.ts";
import { t } from "./strings.ts";

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A `vscode-button` (text, optional codicon, optional secondary look). */
export function button(label: string, onClick: () => void, options: { secondary?: boolean; icon?: string; title?: string; className?: string } = {}): HTMLElement {
  const b = document.createElement("vscode-button");
  b.textContent = label;
  if (options.secondary) b.setAttribute("secondary", "");
  if (options.icon) b.setAttribute("icon", options.icon);
  if (options.title) b.setAttribute("title", options.title);
  if (options.className) b.className = options.className;
  b.addEventListener("click", onClick);
  return b;
}

/** An icon-only toolbar button (`vscode-toolbar-button`, codicon glyph). */
export function toolbarButton(icon: string, label: string, onClick: () => void, id?: string): HTMLElement {
  const b = document.createElement("vscode-toolbar-button");
  b.setAttribute("icon", icon);
  b.setAttribute("label", label);
  b.setAttribute("title", label);
  if (id) b.id = id;
  b.addEventListener("click", onClick);
  return b;
}

const PURIFY_CONFIG = {
  ALLOWED_TAGS: ["a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "span", "div", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"],
  ALLOWED_ATTR: ["class", "title", "data-href", "data-lang", "role", "tabindex", "align", "start"],
  ALLOWED_URI_REGEXP: /^https?:/i,
  ALLOW_DATA_ATTR: false,
  RETURN_TRUSTED_TYPE: false,
};

/** Markdown → sanitized DOM inside `target`; code blocks get Copy / Insert / Apply. */
export function setMarkdown(target: HTMLElement, source: string, onCodeAction: (action: "copy" | "insert" | "apply", code: string, language: string, button: HTMLElement) => void): void {
  const html = DOMPurify.sanitize(renderMarkdown(source), PURIFY_CONFIG);
  target.innerHTML = html;
  for (const block of Array.from(target.querySelectorAll<HTMLElement>(".code-block"))) {
    const header = block.querySelector<HTMLElement>(".code-header");
    const code = block.querySelector("code");
    if (!header || !code) continue;
    const language = block.dataset.lang ?? "";
    const actions = el("span", "code-actions");
    for (const [action, label, title] of [
      ["copy", t("codeCopy"), t("codeCopyTitle")],
      ["insert", t("codeInsert"), t("codeInsertTitle")],
      ["apply", t("codeApply"), t("codeApplyTitle")],
    ] as const) {
      const b = button(label, () => onCodeAction(action, code.textContent ?? "", language, b), { secondary: true, title, className: `code-${action}` });
      actions.append(b);
    }
    header.append(actions);
  }
}
