// The entry point's behaviour beyond the corpus: budget truncation (never rejection), the completion cursor,
// a PEM block cut by the prefix/suffix window, sensitive words, and the "what the model sees" view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BODY_SEPARATOR, describeFilteredText, filterContext, filterText } from "../../src/core/safety/index.ts";
import { generateSecret } from "../fixtures/safety/secretValues.ts";

test("context over the budget is truncated with a notice, never rejected", () => {
  const text = Array.from({ length: 2000 }, (_, i) => `line ${i}: const value${i} = ${i};`).join("\n");
  const r = filterText({ text, feature: "chat" }, { budget: { maxChars: 1000 } });
  assert.ok(r.truncated && r.truncation);
  assert.ok(r.text.startsWith("line 0: "));
  assert.match(r.text, /characters omitted by Private Coder/);
  assert.ok(r.text.length <= 1000 + r.truncation.notice.length);
  assert.equal(r.markers.at(-1)?.kind, "truncation");
});

test("a token budget uses the caller's counter", () => {
  const countTokens = (s: string): number => s.split(/\s+/).filter(Boolean).length;
  const text = "word ".repeat(5000);
  const r = filterText({ text, feature: "explain" }, { budget: { maxTokens: 100, countTokens } });
  assert.ok(r.truncated);
  assert.ok(countTokens(r.text) <= 100, `${countTokens(r.text)} tokens`);
});

test("completion keeps the text around the cursor, without a notice, and maps the cursor", () => {
  const before = "a".repeat(5000);
  const after = "b".repeat(5000);
  const r = filterText({ text: before + after, feature: "completion", cursorOffset: 5000 }, { budget: { maxChars: 1000 } });
  assert.ok(r.truncated);
  assert.equal(r.text, "a".repeat(750) + "b".repeat(250));
  assert.equal(r.cursorOffset, 750);
});

test("the cursor is mapped through redactions and escapes", () => {
  const token = generateSecret("github-ghp", 5).value;
  const prefix = `const t = "${token}";\nlet s = "\u202E";\nfoo(`;
  const r = filterText({ text: prefix + ");\n", feature: "completion", cursorOffset: prefix.length });
  const [head, tail] = [r.text.slice(0, r.cursorOffset), r.text.slice(r.cursorOffset)];
  assert.equal(head, 'const t = "<secret:github-token#1>";\nlet s = "<U+202E>";\nfoo(');
  assert.equal(tail, ");\n");
});

test("a PEM block cut by the completion window is redacted on both sides of the cursor", () => {
  const key = generateSecret("private-key-rsa", 9);
  const doc = `${"// filler line to push the key away\n".repeat(200)}const key = \`${key.value}\`;\n${"// more filler after the key\n".repeat(200)}`;
  const cursor = doc.indexOf(key.fragments[6]);
  // A window of 1200 characters around the cursor cuts the block at both ends.
  const r = filterText({ text: doc, feature: "completion", cursorOffset: cursor }, { budget: { maxChars: 1200 } });
  for (const f of key.fragments) assert.ok(!r.text.includes(f.slice(0, 20)), "key material left");
  assert.ok(r.redactions.some((x) => x.ruleId === "private-key"));
  // Filtering the already-cut prefix and suffix separately also leaves no key line (BEGIN without END, END without BEGIN).
  const prefix = doc.slice(0, cursor);
  const suffix = doc.slice(cursor);
  for (const part of [prefix, suffix]) {
    const p = filterText({ text: part, feature: "completion" });
    for (const f of key.fragments) assert.ok(!p.text.includes(f.slice(0, 20)));
  }
});

test("sensitive words: redacted case-insensitively inside identifiers, or the request is blocked", () => {
  const text = "class ProjectFalconClient { /* FALCON rollout */ }\nconst x = 'falcon';\n";
  const r = filterText({ text, feature: "chat" }, { sensitiveWords: ["falcon", "  "] });
  assert.equal(r.text, "class Project<redacted:sensitive-word#1>Client { /* <redacted:sensitive-word#1> rollout */ }\nconst x = '<redacted:sensitive-word#1>';\n");
  assert.equal(r.redactions.length, 3);
  assert.ok(!JSON.stringify(r.redactions).toLowerCase().includes("falcon"));
  const b = filterText({ text, feature: "chat" }, { sensitiveWords: ["Falcon"], sensitiveWordAction: "block" });
  assert.equal(b.blocked, true);
  assert.equal(b.text, "");
  assert.ok(!(b.reason ?? "").toLowerCase().includes("falcon"));
  assert.equal(filterText({ text, feature: "chat" }).text, text, "empty list by default");
});

test("the design article's blocked patterns pass through untouched", () => {
  const text = "const q = `${table}`; // #{ruby}\nhtml = '<script>alert(1)</script>';\ndb.exec('DROP TABLE users');\n";
  assert.equal(filterText({ text, feature: "chat" }).text, text);
});

test("describeFilteredText lists what was done without values, then the exact text", () => {
  const token = generateSecret("stripe-key", 4).value;
  const r = filterText({ text: `stripe = "${token}"\nx = "a\u200Bb"\n`, feature: "chat" });
  const view = describeFilteredText(r, { title: "Last chat request", source: "app.py" });
  assert.ok(!view.includes(token));
  assert.match(view, /<secret:stripe-key#1> {2}stripe-key at line 1, column 11/);
  assert.match(view, /zero-width U\+200B escaped at line 2, column 7/);
  assert.equal(view.slice(view.indexOf(BODY_SEPARATOR) + BODY_SEPARATOR.length + 1), r.text);
  // Markers point at the placeholders in the filtered text.
  const m = r.markers.find((x) => x.kind === "redaction")!;
  assert.equal(r.text.slice(m.start, m.end), "<secret:stripe-key#1>");
});

test("excluded and blocked results describe themselves", async () => {
  const ex = { check: () => Promise.resolve({ excluded: true, reason: 'excluded by default pattern ".env"' }) };
  const r = await filterContext({ text: "A=1", path: "/w/.env", feature: "chat" }, { exclusion: ex as never });
  assert.equal(r.excluded, true);
  assert.match(describeFilteredText(r), /EXCLUDED: excluded by default pattern/);
});

test("in source files only quoted values are judged; config files keep unquoted ones", () => {
  const value = generateSecret("generic-secret", 12).value;
  const code = `const apiKey = previousKey2;\nconst token = "${value}";\n`;
  const ts = filterText({ text: code, feature: "completion", path: "/w/src/app.ts" });
  assert.equal(ts.text, 'const apiKey = previousKey2;\nconst token = "<secret:generic-secret#1>";\n');
  const env = filterText({ text: `API_KEY=${value}\n`, feature: "chat", path: "/w/config/app.env.txt" });
  assert.equal(env.text, "API_KEY=<secret:generic-secret#1>\n");
  const untitledPython = filterText({ text: `token = ${value}\n`, feature: "chat", languageId: "python" });
  assert.equal(untitledPython.text, `token = ${value}\n`, "an unquoted name in Python is a variable");
});

test("a literal assigned to a password name is a secret whatever its characters; placeholders, types and attribute values are not", () => {
  const secret = [
    'const password = "hunter2hunter2";\n',
    "DB_PASSWORD=correcthorse\n",
    'spring.datasource.password: "Tr0ub4dor"\n',
    '{ "adminPassword": "letmeinplease" }\n',
  ];
  for (const text of secret) {
    const r = filterText({ text, feature: "chat" });
    assert.ok(r.text.includes("<secret:password#1>"), `${JSON.stringify(text)} -> ${JSON.stringify(r.text)}`);
  }
  const benign = [
    "password: string;\n",
    'const input = { type: "password", autocomplete: "new-password" };\n',
    'if (password === "x-oauth-basic") return;\n',
    'const FLOW_PASSWORD_REQUIRED = "FlowPasswordRequiredResultV2";\n',
    'passwordLabel = "auth.password.label"\n',
    'password = "<your-password>"\n',
    "PASSWORD_POLICY=STRONG_ONLY\n",
  ];
  for (const text of benign) assert.equal(filterText({ text, feature: "chat" }).text, text, JSON.stringify(text));
});
