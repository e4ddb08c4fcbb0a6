// Output side: escape sequences and control characters never reach the editor or the chat; e-mail/phone
// redaction only when asked; the streaming sanitizer handles a sequence split across chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { OutputSanitizer, sanitizeModelOutput } from "../../src/core/safety/index.ts";

test("ANSI CSI, OSC (hyperlinks, title, clipboard) and other escapes are stripped", () => {
  assert.equal(sanitizeModelOutput("\x1b[1;31merror\x1b[0m: x"), "error: x");
  assert.equal(sanitizeModelOutput("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07"), "click");
  assert.equal(sanitizeModelOutput("\x1b]0;title\x1b\\text"), "text");
  assert.equal(sanitizeModelOutput("\x1b]52;c;ZWNobyBoaQ==\x07copied"), "copied");
  assert.equal(sanitizeModelOutput("\x9b31mred\x9b0m"), "red");
  assert.equal(sanitizeModelOutput("a\x1bcb\x1b(Bc"), "abc");
  assert.equal(sanitizeModelOutput("\x1bP1$r0m\x1b\\done"), "done");
});

test("C0/C1 controls go, except newline and tab; CRLF becomes LF", () => {
  assert.equal(sanitizeModelOutput("a\x00b\x07c\x08d\x7fe\x85f\u009fg"), "abcdefg");
  assert.equal(sanitizeModelOutput("line1\r\nline2\rX\n\tindented"), "line1\nline2X\n\tindented");
});

test("bidi controls are removed from output by default, kept if asked", () => {
  assert.equal(sanitizeModelOutput("if (a\u202E) {}"), "if (a) {}");
  assert.equal(sanitizeModelOutput("x\u2067y", { removeBidiControls: false }), "x\u2067y");
});

test("e-mail and phone redaction is off by default", () => {
  const text = "Contact jane.doe@example.org or +1 555-123-4567.";
  assert.equal(sanitizeModelOutput(text), text);
  assert.equal(sanitizeModelOutput(text, { redactEmailsAndPhones: true }), "Contact [email removed] or [phone removed].");
  // Code is not phone numbers: versions, dates, arithmetic stay.
  const code = "version 1.100.0, date 2024-06-20, x = 1234 * 5678, ip 10.0.0.1";
  assert.equal(sanitizeModelOutput(code, { redactEmailsAndPhones: true }), code);
});

test("ordinary code, CJK and emoji pass unchanged", () => {
  const text = "const 合计 = a + b; // 👨‍👩‍👧 ok\n\tif (x > 0) { return `${x}`; }\n";
  assert.equal(sanitizeModelOutput(text), text);
});

test("streaming: a sequence split across chunks is removed, text order kept", () => {
  const chunks = ["Hello \x1b", "[3", "1mred\x1b[0", "m world\x1b]8;;http://x", "\x07link\x1b]8;;\x07!"];
  const s = new OutputSanitizer();
  const out = chunks.map((c) => s.push(c)).join("") + s.end();
  assert.equal(out, "Hello red worldlink!");
});

test("property: output never contains a control character but \\n and \\t, whatever the chunking", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: "binary", maxLength: 40 }), { maxLength: 8 }), (chunks) => {
      const s = new OutputSanitizer();
      const out = chunks.map((c) => s.push(c)).join("") + s.end();
      // eslint-disable-next-line no-control-regex -- the property is about control characters
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(out), JSON.stringify(out));
      // eslint-disable-next-line no-control-regex -- same
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f-\x9f]/.test(sanitizeModelOutput(chunks.join(""))));
    }),
    { numRuns: 500 },
  );
});
