// The secrets and benign-lookalike corpus: every secret redacted (TP 100%), at most 2 false positives,
// and the score printed. Also: placeholders are stable and reports never carry a value.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { filterText, describeFilteredText, SECRET_RULE_IDS } from "../../src/core/safety/index.ts";
import { fillTemplate, generateSecret } from "../fixtures/safety/secretValues.ts";

interface SecretCase {
  id: string;
  family: string;
  rule: string;
  generator: string;
  syntax: string;
  template: string;
}
interface BenignCase {
  id: string;
  note: string;
  text: string;
}

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/safety/${name}`, import.meta.url), "utf8"));
const secrets = (fixture("secrets.json") as { cases: SecretCase[] }).cases;
const benign = (fixture("benign.json") as { cases: BenignCase[] }).cases;

function materialize(c: SecretCase, i: number): { text: string; fragments: readonly string[] } {
  const s = generateSecret(c.generator, i + 1);
  return { text: fillTemplate(c.template, s), fragments: s.fragments };
}

test("the corpus has its required size", () => {
  const families = new Set(secrets.map((c) => c.family));
  const syntaxes = ["env", "json", "yaml", "ts", "py"];
  assert.ok(secrets.length >= 70, `${secrets.length} secrets`);
  assert.ok(families.size >= 14, `${families.size} families`);
  for (const f of families) {
    if (f === "slack-webhook") continue;
    for (const s of syntaxes) assert.ok(secrets.some((c) => c.family === f && c.syntax === s), `${f} × ${s} missing`);
  }
  assert.ok(benign.length >= 80, `${benign.length} benign`);
  for (const c of secrets) assert.ok(SECRET_RULE_IDS.includes(c.rule), `unknown rule ${c.rule}`);
});

test("corpus score: every secret redacted, at most 2 false positives", () => {
  const misses: string[] = [];
  let tp = 0;
  secrets.forEach((c, i) => {
    const { text, fragments } = materialize(c, i);
    const r = filterText({ text, feature: "chat" });
    const leaked = fragments.filter((f) => r.text.includes(f));
    if (leaked.length === 0 && r.redactions.some((x) => x.ruleId === c.rule)) tp++;
    else misses.push(`${c.id}: leaked ${leaked.length}, rules [${r.redactions.map((x) => x.ruleId).join(", ")}]`);
  });
  const falsePositives: string[] = [];
  for (const c of benign) {
    const r = filterText({ text: c.text, feature: "chat" });
    if (r.text !== c.text || r.redactions.length > 0) falsePositives.push(`${c.id} (${c.note}): ${r.redactions.map((x) => x.ruleId).join(", ")}`);
  }
  // The score line, in the test output.
  console.log(`safety corpus: TP ${tp}/${secrets.length}, FP ${falsePositives.length}/${benign.length}`);
  assert.deepEqual(misses, [], "every secret must be redacted");
  assert.ok(falsePositives.length <= 2, `false positives: ${falsePositives.join("; ")}`);
});

test("reports and the 'what the model sees' view never contain a secret value", () => {
  secrets.forEach((c, i) => {
    const { text, fragments } = materialize(c, i);
    const r = filterText({ text, feature: "explain" });
    const serialized = JSON.stringify({ redactions: r.redactions, hidden: r.hiddenCharacters, markers: r.markers });
    const view = describeFilteredText(r, { title: c.id });
    for (const f of fragments) {
      assert.ok(!serialized.includes(f), `${c.id}: report leaks`);
      assert.ok(!view.includes(f), `${c.id}: view leaks`);
    }
  });
});

test("placeholders are stable: the same value gets the same placeholder, another value the next number", () => {
  const a = generateSecret("github-ghp", 101).value;
  const b = generateSecret("github-ghp", 102).value;
  const text = `first = "${a}"\nsecond = "${b}"\nagain = "${a}"\n`;
  const r = filterText({ text, feature: "chat" });
  assert.equal(r.text, `first = "<secret:github-token#1>"\nsecond = "<secret:github-token#2>"\nagain = "<secret:github-token#1>"\n`);
  assert.deepEqual(
    r.redactions.map((x) => [x.ruleId, x.placeholder, x.line, x.column]),
    [
      ["github-token", "<secret:github-token#1>", 1, 10],
      ["github-token", "<secret:github-token#2>", 2, 11],
      ["github-token", "<secret:github-token#1>", 3, 10],
    ],
  );
  // Same input, same output: numbering depends only on the text.
  assert.equal(filterText({ text, feature: "completion" }).text, r.text);
});

test("redaction keeps the code around the secret intact", () => {
  const key = generateSecret("openai-api-key", 7).value;
  const r = filterText({ text: `const openai = new OpenAI({ apiKey: "${key}" });\n`, feature: "completion" });
  assert.equal(r.text, `const openai = new OpenAI({ apiKey: "<secret:openai-api-key#1>" });\n`);
  const url = filterText({ text: "DATABASE_URL=postgres://app:Zx81-pq77Lm@db:5432/app\n", feature: "chat" });
  assert.equal(url.text, "DATABASE_URL=postgres://app:<secret:connection-string-password#1>@db:5432/app\n");
});

test("lockfiles skip the generic rule but not token rules", () => {
  const tok = generateSecret("npm-token", 3).value;
  const text = `"integrity": "sha512-abc", "token": "Zq8vN2mK4pX7rT1wY5uB3cE6", "t": "${tok}"`;
  const r = filterText({ text, feature: "chat", path: "/w/package-lock.json" });
  assert.deepEqual(
    r.redactions.map((x) => x.ruleId),
    ["npm-token"],
  );
});
