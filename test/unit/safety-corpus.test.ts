// The secrets and benign-lookalike corpus: every secret redacted (TP 100%), at most 2 false positives,
// and the score printed, in all and per family. Every rule has a secret case, and every provider family a benign
// look-alike of the same shape. Also: placeholders are stable and reports never carry a value.
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
  /** The provider family this look-alike imitates (absent for the general look-alikes). */
  family?: string;
  note: string;
  text: string;
}

/** The first families, each in every common syntax; provider families have one realistic context each. */
const CORE_FAMILIES = ["aws-access-key-id", "aws-secret-access-key", "github-token", "gitlab-token", "slack-token", "stripe-key", "google-api-key", "openai-api-key", "anthropic-api-key", "npm-token", "jwt", "private-key", "generic", "connection-string-password"];

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
  assert.ok(secrets.length >= 230, `${secrets.length} secrets`);
  assert.ok(families.size >= 170, `${families.size} families`);
  for (const f of CORE_FAMILIES) {
    for (const s of syntaxes) assert.ok(secrets.some((c) => c.family === f && c.syntax === s), `${f} × ${s} missing`);
  }
  assert.ok(benign.length >= 260, `${benign.length} benign`);
  for (const c of secrets) assert.ok(SECRET_RULE_IDS.includes(c.rule), `unknown rule ${c.rule}`);
  // Every rule is exercised, and every provider family has a look-alike that must stay untouched.
  assert.deepEqual(SECRET_RULE_IDS.filter((id) => !secrets.some((c) => c.rule === id)), [], "rules without a secret case");
  const lookalikes = new Set(benign.map((b) => b.family));
  assert.deepEqual([...families].filter((f) => !CORE_FAMILIES.includes(f) && f !== "generic" && f !== "slack-webhook" && !lookalikes.has(f)), [], "families without a benign look-alike");
});

test("corpus score: every secret redacted, at most 2 false positives", () => {
  const misses: string[] = [];
  let tp = 0;
  /** Per family: [secrets redacted, secrets, look-alikes redacted, look-alikes]. */
  const byFamily = new Map<string, [number, number, number, number]>();
  const row = (f: string): [number, number, number, number] => byFamily.get(f) ?? (byFamily.set(f, [0, 0, 0, 0]).get(f) as [number, number, number, number]);
  secrets.forEach((c, i) => {
    const { text, fragments } = materialize(c, i);
    const r = filterText({ text, feature: "chat" });
    const leaked = fragments.filter((f) => r.text.includes(f));
    const counts = row(c.family);
    counts[1]++;
    if (leaked.length === 0 && r.redactions.some((x) => x.ruleId === c.rule)) {
      tp++;
      counts[0]++;
    } else misses.push(`${c.id}: leaked ${leaked.length}, rules [${r.redactions.map((x) => x.ruleId).join(", ")}]`);
  });
  const falsePositives: string[] = [];
  for (const c of benign) {
    const r = filterText({ text: c.text, feature: "chat" });
    const counts = row(c.family ?? "general");
    counts[3]++;
    if (r.text !== c.text || r.redactions.length > 0) {
      counts[2]++;
      falsePositives.push(`${c.id} (${c.note}): ${r.redactions.map((x) => x.ruleId).join(", ")}`);
    }
  }
  // The score lines, in the test output: in all, then per family (secrets redacted, look-alikes redacted).
  console.log(`safety corpus: TP ${tp}/${secrets.length}, FP ${falsePositives.length}/${benign.length}, ${byFamily.size - 1} families`);
  console.log(`safety corpus by family: ${[...byFamily].map(([f, [t, n, fp, b]]) => `${f} TP ${t}/${n} FP ${fp}/${b}`).join("; ")}`);
  assert.deepEqual(misses, [], "every secret must be redacted");
  assert.ok(falsePositives.length <= 2, `false positives: ${falsePositives.join("; ")}`);
});

test("every provider family's case is redacted with any generated value (seeds 1-100), not just the corpus seed", () => {
  // A rule tuned on one value can miss others of the same shape (a key without digits, a low-entropy draw).
  const misses: string[] = [];
  for (const c of secrets) {
    if (CORE_FAMILIES.includes(c.family) || c.family === "generic" || c.generator === "generic-secret") continue;
    for (let seed = 1; seed <= 100; seed++) {
      const s = generateSecret(c.generator, seed);
      const r = filterText({ text: fillTemplate(c.template, s), feature: "chat" });
      if (s.fragments.some((f) => r.text.includes(f)) || !r.redactions.some((x) => x.ruleId === c.rule)) misses.push(`${c.id}#${seed}`);
    }
  }
  assert.deepEqual(misses, []);
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
