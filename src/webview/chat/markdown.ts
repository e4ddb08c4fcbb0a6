/**
 * Markdown → HTML for chat messages, safe by construction (and sanitized again with DOMPurify in the DOM layer):
 * raw HTML in the source is shown as text, links keep only http(s) targets and carry them in `data-href` (the
 * element has no `href`, so nothing navigates: the view asks the host to open it on click), images are never
 * fetched (a link to them is shown instead), and code is escaped by highlight.js. No DOM use here, so the unit
 * tests run it in Node.
 */
import { Marked, type Tokens } from "marked";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";

const LANGUAGES = { bash, c, cpp, csharp, css, diff, go, java, javascript, json, kotlin, markdown, php, python, ruby, rust, shell, sql, swift, typescript, xml, yaml };
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
// VS Code language ids that differ from highlight.js names.
hljs.registerAliases(["typescriptreact", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["javascriptreact", "jsx"], { languageName: "javascript" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["shellscript", "sh", "zsh"], { languageName: "bash" });

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
function unescapeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

/** The URL when it is an absolute http(s) URL; undefined for anything else (`javascript:`, `command:`, `data:`, relative). */
export function safeHref(href: string | null | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const url = new URL(href.trim());
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A short, safe language tag for a fence's info string. */
function languageOf(lang: string | undefined): string {
  const first = (lang ?? "").trim().split(/\s+/, 1)[0] ?? "";
  return /^[\w#+.-]{1,30}$/.test(first) ? first.toLowerCase() : "";
}

export function highlight(code: string, lang: string): string {
  if (lang && hljs.getLanguage(lang)) {
    try {
      return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
    } catch {
      // fall through to plain text
    }
  }
  return escapeHtml(code);
}

/**
 * The safety filter's placeholders (`<secret:github-token#1>`, `<redacted:sensitive-word#2>`) shown as they are,
 * marked as such; Markdown would otherwise read them as autolinks and drop the angle brackets.
 */
const PLACEHOLDER = /^<((?:secret|redacted):[a-z0-9-]{1,40}#\d{1,7})>/;
const placeholders = {
  name: "placeholder",
  level: "inline" as const,
  start(src: string): number | undefined {
    const at = src.search(/<(?:secret|redacted):/);
    return at < 0 ? undefined : at;
  },
  tokenizer(src: string): Tokens.Generic | undefined {
    const match = PLACEHOLDER.exec(src);
    return match ? { type: "placeholder", raw: match[0], text: match[1] } : undefined;
  },
  renderer(token: Tokens.Generic): string {
    return `<span class="placeholder" title="Replaced by the safety filter before it reached the model">&lt;${escapeHtml(String(token.text))}&gt;</span>`;
  },
};

const marked = new Marked({
  extensions: [placeholders],
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link(token: Tokens.Link): string {
      const inner = this.parser.parseInline(token.tokens);
      const href = safeHref(token.href);
      if (!href) return `<span class="link-blocked" title="Not a web link: not opened">${inner}</span>`;
      return `<a class="link" data-href="${escapeHtml(href)}" title="${escapeHtml(href)}" role="link" tabindex="0">${inner}</a>`;
    },
    image({ href, text }: Tokens.Image): string {
      const label = escapeHtml(text || href || "image");
      const url = safeHref(href);
      if (!url) return `<span class="image-blocked" title="Image not shown">[image: ${label}]</span>`;
      return `<a class="link image-link" data-href="${escapeHtml(url)}" title="Image not loaded: ${escapeHtml(url)}" role="link" tabindex="0">[image: ${label}]</a>`;
    },
    code({ text, lang }: Tokens.Code): string {
      const language = languageOf(lang);
      const label = language ? `<span class="code-lang">${escapeHtml(language)}</span>` : "";
      return `<div class="code-block" data-lang="${escapeHtml(language)}"><div class="code-header">${label}</div><pre><code class="hljs">${highlight(text.replace(/\n$/, ""), language)}</code></pre></div>`;
    },
    text(token: Tokens.Text | Tokens.Escape): string {
      if ("tokens" in token && token.tokens) return this.parser.parseInline(token.tokens);
      // Marked escapes most text, but not every stray `<`: normalise, then escape everything once.
      return escapeHtml(unescapeEntities(token.text));
    },
    checkbox({ checked }: Tokens.Checkbox): string {
      return checked ? "☑ " : "☐ ";
    },
  },
});

/** Renders chat Markdown to an HTML string that contains only elements and attributes this module writes. */
export function renderMarkdown(source: string): string {
  try {
    return marked.parse(source, { async: false });
  } catch {
    return `<p>${escapeHtml(source)}</p>`;
  }
}
