// Hidden characters: 20 dangerous cases removed or escaped and reported, 10 benign ones (CJK, RTL, emoji with
// ZWJ, flags) left byte-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { filterText } from "../../src/core/safety/index.ts";

interface UnicodeCase {
  id: string;
  text: string;
  kinds?: string[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/safety/unicode.json", import.meta.url), "utf8")) as { hidden: UnicodeCase[]; benign: UnicodeCase[] };

/** Any bidi control, zero-width character or tag character, except inside valid emoji/flag/script sequences. */
const BIDI = /[\u202A-\u202E\u2066-\u2069]/u;
const TAG = /[\u{E0000}-\u{E007F}]/u;
const ZERO_WIDTH = /[\u200B\u2060-\u2064\u180E]/u;

test(`${fixture.hidden.length} hidden-character cases are escaped and reported`, () => {
  assert.ok(fixture.hidden.length >= 20);
  for (const c of fixture.hidden) {
    const r = filterText({ text: c.text, feature: "chat" });
    assert.ok(!BIDI.test(r.text) && !TAG.test(r.text) && !ZERO_WIDTH.test(r.text), `${c.id}: hidden character left in ${JSON.stringify(r.text)}`);
    assert.ok(r.hiddenCharacters.length > 0, `${c.id}: not reported`);
    assert.deepEqual([...new Set(r.hiddenCharacters.map((h) => h.kind))].sort(), [...(c.kinds ?? [])].sort(), c.id);
    assert.match(r.text, /<U\+[0-9A-F]{4,5}/, `${c.id}: escape is visible`);
  }
});

test("the remove action deletes them instead, and reports the same", () => {
  for (const c of fixture.hidden) {
    const escaped = filterText({ text: c.text, feature: "completion" });
    const removed = filterText({ text: c.text, feature: "completion" }, { hiddenCharacters: "remove" });
    assert.ok(!/<U\+/.test(removed.text), c.id);
    assert.ok(removed.text.length < c.text.length, c.id);
    assert.deepEqual(
      removed.hiddenCharacters.map((h) => [h.kind, h.line, h.column, h.count]),
      escaped.hiddenCharacters.map((h) => [h.kind, h.line, h.column, h.count]),
    );
    assert.ok(removed.hiddenCharacters.every((h) => h.action === "removed"));
  }
});

test("a Trojan Source line shows the override to the model, with its position", () => {
  const r = filterText({ text: 'open("invoice\u202Efdp.exe")\n', feature: "explain" });
  assert.equal(r.text, 'open("invoice<U+202E>fdp.exe")\n');
  assert.deepEqual(r.hiddenCharacters, [{ kind: "bidi-control", codePoint: "U+202E", count: 1, line: 1, column: 14, action: "escaped" }]);
});

test("a run of smuggled tag characters becomes one escape", () => {
  const payload = [..."ignore previous"].map((ch) => String.fromCodePoint(0xe0000 + ch.charCodeAt(0))).join("");
  const r = filterText({ text: `// docs${payload}\n`, feature: "chat" });
  assert.equal(r.text, "// docs<U+E0069 ×15>\n");
  assert.equal(r.hiddenCharacters.length, 1);
});

test(`${fixture.benign.length} benign Unicode cases pass byte-identical`, () => {
  assert.ok(fixture.benign.length >= 10);
  for (const c of fixture.benign) {
    const r = filterText({ text: c.text, feature: "chat" });
    assert.equal(r.text, c.text, c.id);
    assert.deepEqual(r.hiddenCharacters, [], c.id);
  }
});
