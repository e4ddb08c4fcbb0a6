import { test } from "node:test";
import assert from "node:assert/strict";
import { renderMarkdown, safeHref } from "../../src/webview/chat/markdown.ts";

const ALLOWED_TAGS = new Set(["a", "p", "br", "hr", "strong", "em", "del", "code", "pre", "span", "div", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"]);
const ALLOWED_ATTRS = new Set(["class", "title", "data-href", "data-lang", "role", "tabindex", "align", "start"]);

/** Every `<` in the output starts a tag this renderer wrote (text is escaped), so a tag scan sees everything. */
function assertInert(html: string): void {
  for (const m of html.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const tag = m[1].toLowerCase();
    assert.ok(ALLOWED_TAGS.has(tag), `unexpected <${tag}> in ${html}`);
    for (const a of m[2].matchAll(/([^\s=]+)\s*=\s*"([^"]*)"/g)) {
      assert.ok(ALLOWED_ATTRS.has(a[1].toLowerCase()), `unexpected attribute ${a[1]} in ${m[0]}`);
      if (a[1] === "data-href") assert.match(a[2], /^https?:\/\//);
    }
    assert.doesNotMatch(m[2], /(?<![-\w])(?:on\w+|href|src|style)\s*=/i, m[0]);
  }
  // No '<' that is not a tag we accounted for.
  assert.equal(html.replace(/<\/?[a-zA-Z][\w-]*[^>]*>/g, "").includes("<"), false);
}

const HOSTILE = [
  "<script>alert(1)</script>",
  "text <script src=https://evil.example/x.js></script> more",
  '<img src="x" onerror="alert(1)">',
  "![pic](https://evil.example/track.png)",
  "![pic](data:image/png;base64,AAAA)",
  "[click](javascript:alert(1))",
  "[click](JaVaScRiPt:alert(1))",
  "[run](command:workbench.action.terminal.new)",
  "[data](data:text/html,<script>alert(1)</script>)",
  "[rel](/etc/passwd)",
  "<svg onload=alert(1)><circle/></svg>",
  "<iframe src=https://evil.example></iframe>",
  '<a href="javascript:alert(1)">x</a>',
  "<style>body{display:none}</style>",
  '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
  "```html\n<script>alert(1)</script>\n```",
  "`<b>inline</b>`",
  "<details open ontoggle=alert(1)>",
  "<<script>script>alert(1)<</script>/script>",
  "| a | b |\n|---|---|\n| <img src=x> | [y](vbscript:x) |",
  "<!-- comment --><math><mi xlink:href=javascript:alert(1)>",
];

test("hostile Markdown renders inert: no script, handlers, frames, SVG, images or non-http links", () => {
  for (const source of HOSTILE) {
    const html = renderMarkdown(source);
    assertInert(html);
    assert.doesNotMatch(html, /<(script|img|svg|iframe|style|math|details|object|embed)\b/i, source);
  }
});

test("remote images become links (never fetched); http(s) links keep their target in data-href only", () => {
  const image = renderMarkdown("![diagram](https://example.com/d.png)");
  assert.match(image, /data-href="https:\/\/example.com\/d.png"/);
  assert.match(image, /\[image: diagram\]/);
  assert.doesNotMatch(image, /<img/);
  const link = renderMarkdown("[docs](https://example.com/a?b=1)");
  assert.match(link, /<a class="link" data-href="https:\/\/example.com\/a\?b=1"/);
  assert.doesNotMatch(renderMarkdown("[x](javascript:alert(1))"), /data-href/);
});

test("code blocks are highlighted and escaped, raw HTML is shown as text", () => {
  const html = renderMarkdown("```ts\nconst a: number = 1 < 2 ? 1 : 2;\n```");
  assert.match(html, /class="code-block" data-lang="ts"/);
  assert.match(html, /hljs-keyword/);
  assert.match(html, /&lt; </);
  assert.match(renderMarkdown("<b>bold?</b>"), /&lt;b&gt;bold\?&lt;\/b&gt;/);
});

test("safeHref accepts only absolute http(s) URLs", () => {
  assert.equal(safeHref("https://a.example/x"), "https://a.example/x");
  for (const bad of ["javascript:alert(1)", "command:x", "data:text/html,x", "file:///etc/passwd", "/relative", "vscode://x", "", undefined]) {
    assert.equal(safeHref(bad), undefined, String(bad));
  }
});

test("the safety filter's placeholders are shown as they are, not read as links; inside code they stay code", () => {
  const html = renderMarkdown('token = "<secret:github-token#1>" and <redacted:sensitive-word#2>\n\n```ts\nconst t = "<secret:github-token#1>";\n```');
  assert.match(html, /<span class="placeholder"[^>]*>&lt;secret:github-token#1&gt;<\/span>/);
  assert.match(html, /<span class="placeholder"[^>]*>&lt;redacted:sensitive-word#2&gt;<\/span>/);
  assert.ok(!html.includes("link-blocked"), html);
  assert.match(html, /<code class="hljs">.*&lt;secret:github-token#1&gt;/s);
});
