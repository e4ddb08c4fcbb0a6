// Post-processing: every rule end to end, as golden fixtures (real code with a cursor marker, the raw model
// output, the expected inserted text) in test/fixtures/completion/postprocess, plus a few direct checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { postprocess, type PostprocessContext } from "../../src/core/completion/postprocess/index.ts";
import { detectIndentUnit } from "../../src/core/completion/indent.ts";
import type { CompletionMode } from "../../src/core/completion/trigger.ts";

const DIR = join(import.meta.dirname, "..", "fixtures", "completion", "postprocess");
const CURSOR = "█";
const RULES = ["control", "midLine", "repeatSuffix", "brackets", "reindent", "dedent", "drop"] as const;

interface Fixture {
  file: string;
  rule: string;
  ctx: PostprocessContext;
  raw: string;
  expected: string | undefined;
}

function parseFixture(file: string): Fixture {
  const text = readFileSync(join(DIR, file), "utf8");
  const headers = new Map<string, string>();
  const sections = new Map<string, string>();
  let current: string | undefined;
  let body: string[] = [];
  const flush = (): void => {
    if (current !== undefined) sections.set(current, body.join("\n"));
  };
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const marker = /^=== (code|raw(?: \(escaped\))?|expected(?: \(nothing\))?)$/.exec(line);
    if (marker) {
      flush();
      current = marker[1];
      body = [];
    } else if (current !== undefined) {
      body.push(line);
    } else if (!line.startsWith("#") && line.trim()) {
      const m = /^(\w+):\s*(.*)$/.exec(line);
      assert.ok(m, `${file}: bad header line ${JSON.stringify(line)}`);
      headers.set(m[1], m[2]);
    }
  }
  flush();
  const code = sections.get("code");
  // `=== raw (escaped)`: the section is a JSON string body (\u001b, \r, \n), so control characters stay readable.
  const escaped = sections.get("raw (escaped)");
  const raw = escaped !== undefined ? (JSON.parse(`"${escaped.replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`) as string) : sections.get("raw");
  assert.ok(code !== undefined && raw !== undefined, `${file}: needs === code and === raw`);
  const nothing = sections.has("expected (nothing)");
  assert.ok(nothing || sections.has("expected"), `${file}: needs === expected`);
  const codeLines = code.split("\n");
  const cursorLine = codeLines.findIndex((l) => l.includes(CURSOR));
  assert.ok(cursorLine >= 0, `${file}: no cursor marker`);
  const line = codeLines[cursorLine];
  const at = line.indexOf(CURSOR);
  const indentHeader = headers.get("indent");
  const recent = headers.get("recent");
  const ctx: PostprocessContext = {
    linePrefix: line.slice(0, at),
    lineSuffix: line.slice(at + CURSOR.length),
    nextLines: codeLines.slice(cursorLine + 1),
    previousLines: codeLines.slice(Math.max(0, cursorLine - 3), cursorLine),
    indentUnit: indentHeader ? (JSON.parse(indentHeader) as string) : (detectIndentUnit(codeLines.filter((_, i) => i !== cursorLine)) ?? "    "),
    languageId: headers.get("language") ?? "plaintext",
    truncated: headers.get("truncated") === "true",
    ...(recent ? { recentSuggestions: JSON.parse(recent) as string[] } : {}),
    ...(headers.has("mode") ? { mode: headers.get("mode") as CompletionMode } : {}),
  };
  return { file, rule: headers.get("rule") ?? "", ctx, raw, expected: nothing ? undefined : sections.get("expected") };
}

const fixtures = readdirSync(DIR)
  .filter((f) => f.endsWith(".txt"))
  .sort()
  .map(parseFixture);

for (const f of fixtures) {
  test(`fixture ${f.file} (${f.rule})`, () => {
    assert.equal(postprocess(f.raw, f.ctx), f.expected);
  });
}

test("every rule has at least 3 fixtures, and every fixture names a known rule", () => {
  for (const f of fixtures) assert.ok((RULES as readonly string[]).includes(f.rule), `${f.file}: unknown rule ${f.rule}`);
  for (const rule of RULES) {
    const n = fixtures.filter((f) => f.rule === rule).length;
    assert.ok(n >= 3, `rule ${rule} has ${n} fixtures`);
  }
});

const base: PostprocessContext = { linePrefix: "", lineSuffix: "", nextLines: [], indentUnit: "  ", languageId: "typescript" };

test("postprocess is idempotent on its own output for every fixture", () => {
  for (const f of fixtures) {
    // A truncated generation loses its last line on every pass by design.
    if (f.expected === undefined || f.ctx.truncated) continue;
    // Feeding the result back must not change it (no rule eats more on a second pass), recent list aside.
    const again = postprocess(f.expected, { ...f.ctx, recentSuggestions: [] });
    assert.equal(again, f.expected, f.file);
  }
});

test("maxLines caps a multi-line suggestion", () => {
  const raw = "a();\nb();\nc();\nd();";
  assert.equal(postprocess(raw, { ...base, maxLines: 2 }), "a();\nb();");
});

test("single-line mode forced by the caller keeps one line even at the end of a line", () => {
  assert.equal(postprocess("x + 1;\ny();", { ...base, linePrefix: "const y = ", mode: "singleLine" }), "x + 1;");
});

test("never throws on odd input", () => {
  for (const raw of ["", "\n\n\n", "\u0000", ")))", "'''", "}\n}\n}", "\t\t", "█", "\r"]) {
    assert.doesNotThrow(() => postprocess(raw, { ...base, lineSuffix: ")" }));
    assert.doesNotThrow(() => postprocess(raw, base));
  }
});
