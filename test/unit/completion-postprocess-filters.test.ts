// Post-processing filters one at a time: every file of src/core/completion/postprocess (index.ts and filter.ts aside)
// is a filter exported under the file's name, sits in the chain, and has goldens in golden/<filter>.json that run here
// without listing them. Format of a golden file: a JSON array of cases
//   { "name": "...", "ctx": { ...PostprocessContext fields }, "input": text, "expected": text }   or "dropped": true
// where a text is a string or an array of lines (joined with "\n"). Omitted ctx fields default to an empty
// TypeScript cursor line with 4-space indentation and nothing around it; tabSize and mode default as in postprocess.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { POSTPROCESS_FILTERS } from "../../src/core/completion/postprocess/index.ts";
import { resolveFilterContext, type PostprocessContext, type PostprocessFilter } from "../../src/core/completion/postprocess/filter.ts";

const DIR = join(import.meta.dirname, "..", "..", "src", "core", "completion", "postprocess");
const GOLDEN_DIR = join(DIR, "golden");
/** The folder's files that are not filters: the composition and what the filters share. */
const NOT_FILTERS = new Set(["index.ts", "filter.ts"]);
const CASE_KEYS = new Set(["name", "ctx", "input", "expected", "dropped"]);
const CTX_KEYS = new Set(["linePrefix", "lineSuffix", "nextLines", "previousLines", "indentUnit", "languageId", "tabSize", "mode", "maxLines", "truncated", "recentSuggestions"]);
const BASE_CTX: PostprocessContext = { linePrefix: "", lineSuffix: "", nextLines: [], indentUnit: "    ", languageId: "typescript" };

type Text = string | string[];
interface GoldenCase {
  name: string;
  ctx?: Partial<PostprocessContext>;
  input: Text;
  expected?: Text;
  dropped?: true;
}

const joined = (t: Text): string => (Array.isArray(t) ? t.join("\n") : t);

const filterNames = readdirSync(DIR)
  .filter((f) => f.endsWith(".ts") && !NOT_FILTERS.has(f))
  .map((f) => f.slice(0, -".ts".length))
  .sort();
const goldenNames = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -".json".length))
  .sort();

const filters = new Map<string, PostprocessFilter>();
for (const name of filterNames) {
  const mod = (await import(pathToFileURL(join(DIR, `${name}.ts`)).href)) as Record<string, unknown>;
  const exported = mod[name];
  if (typeof exported === "function") filters.set(name, exported as PostprocessFilter);
}

test("every filter file exports its filter under the file's name, and the chain is exactly those filters", () => {
  for (const name of filterNames) assert.ok(filters.has(name), `${name}.ts must export a function named ${name}`);
  for (const [name, filter] of filters) assert.ok(POSTPROCESS_FILTERS.includes(filter), `${name} is not in POSTPROCESS_FILTERS`);
  assert.equal(POSTPROCESS_FILTERS.length, filterNames.length, "POSTPROCESS_FILTERS holds a filter that has no file of its own");
});

test("every filter has goldens, and every golden file belongs to a filter", () => {
  assert.deepEqual(filterNames.filter((n) => !goldenNames.includes(n)), [], "these filters have no golden/<filter>.json");
  assert.deepEqual(goldenNames.filter((n) => !filterNames.includes(n)), [], "these goldens have no <filter>.ts");
});

for (const name of goldenNames) {
  const cases = JSON.parse(readFileSync(join(GOLDEN_DIR, `${name}.json`), "utf8")) as GoldenCase[];

  test(`${name}: goldens are well formed and show the filter both acting and leaving text alone`, () => {
    assert.ok(Array.isArray(cases) && cases.length > 0, `golden/${name}.json must be a non-empty array`);
    for (const c of cases) {
      for (const key of Object.keys(c)) assert.ok(CASE_KEYS.has(key), `${name} "${c.name}": unknown key ${key}`);
      for (const key of Object.keys(c.ctx ?? {})) assert.ok(CTX_KEYS.has(key), `${name} "${c.name}": unknown ctx key ${key}`);
      assert.ok((c.expected === undefined) !== (c.dropped === undefined), `${name} "${c.name}": needs exactly one of expected, dropped`);
    }
    const acts = cases.some((c) => c.dropped === true || joined(c.expected ?? "") !== joined(c.input));
    const passes = cases.some((c) => c.expected !== undefined && joined(c.expected) === joined(c.input));
    assert.ok(acts, `${name}: no golden where the filter changes or drops the text`);
    assert.ok(passes, `${name}: no golden where the filter leaves the text alone`);
  });

  for (const c of cases) {
    test(`${name}: ${c.name}`, () => {
      const filter = filters.get(name);
      assert.ok(filter, `${name} is not a filter`);
      const ctx = resolveFilterContext({ ...BASE_CTX, ...c.ctx });
      assert.equal(filter(joined(c.input), ctx), c.dropped ? undefined : joined(c.expected ?? ""));
    });
  }
}
