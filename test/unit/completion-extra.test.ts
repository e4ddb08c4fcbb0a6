// Extra context: Jaccard ranking of snippet windows from other files of the same language, dedup (no overlap with
// the prompt's own window, no duplicate windows), the token cap, and stickiness (the prompt start survives).
import { test } from "node:test";
import assert from "node:assert/strict";
import { identifierSet, indexSnippets, jaccard, selectExtraContext, type Snippet } from "../../src/core/completion/extraContext.ts";
import { estimateTokens } from "../../src/core/completion/tokens.ts";

const userService = [
  "import { Database } from './db';",
  "",
  "export class UserService {",
  "  constructor(private readonly db: Database) {}",
  "",
  "  async findUserById(userId: string): Promise<User | undefined> {",
  "    const row = await this.db.query('SELECT * FROM users WHERE id = ?', [userId]);",
  "    return row ? toUser(row) : undefined;",
  "  }",
  "",
  "  async deleteUser(userId: string): Promise<void> {",
  "    await this.db.execute('DELETE FROM users WHERE id = ?', [userId]);",
  "  }",
  "}",
];
const mathUtils = [
  "export function clamp(x: number, lo: number, hi: number): number {",
  "  return Math.min(hi, Math.max(lo, x));",
  "}",
  "",
  "export function lerp(a: number, b: number, t: number): number {",
  "  return a + (b - a) * t;",
  "}",
];
const pythonUsers = ["def find_user_by_id(db, user_id):", "    row = db.query('SELECT * FROM users WHERE id = ?', [user_id])", "    return row"];

const query = [
  "export class UserController {",
  "  constructor(private readonly users: UserService) {}",
  "  async show(req: Request, res: Response) {",
  "    const userId = req.params.id;",
  "    const user = await this.users.findUserById(userId);",
].join("\n");

function allSnippets(): Snippet[] {
  return [
    ...indexSnippets({ path: "src/userService.ts", languageId: "typescript", lines: userService }, { windowLines: 6, step: 3 }),
    ...indexSnippets({ path: "src/math.ts", languageId: "typescript", lines: mathUtils }, { windowLines: 6, step: 3 }),
    ...indexSnippets({ path: "py/users.py", languageId: "python", lines: pythonUsers }, { windowLines: 6, step: 3 }),
  ];
}

test("identifiers: words of 2+ characters without common keywords; Jaccard", () => {
  assert.deepEqual([...identifierSet("const userId = req.params.id; return x")].sort(), ["id", "params", "req", "userId"]);
  assert.equal(jaccard(new Set(["a", "b"]), new Set(["b", "c"])), 1 / 3);
  assert.equal(jaccard(new Set(), new Set()), 0);
});

test("indexing: overlapping windows, bounded around the focus line for huge files", () => {
  const snippets = indexSnippets({ path: "a.ts", languageId: "typescript", lines: userService }, { windowLines: 6, step: 3 });
  assert.deepEqual(
    snippets.map((s) => [s.startLine, s.endLine]),
    [
      [0, 5],
      [3, 8],
      [6, 11],
      [9, 13],
    ],
  );
  const huge = Array.from({ length: 50_000 }, (_, i) => `const v${i} = ${i};`);
  const t0 = performance.now();
  const big = indexSnippets({ path: "big.ts", languageId: "typescript", lines: huge, focusLine: 30_000 }, { maxLines: 2000 });
  assert.ok(performance.now() - t0 < 1000, "indexing is bounded by maxLines, not the file");
  assert.ok(big.every((s) => s.startLine >= 29_000 && s.endLine < 31_000), "indexed around the focus line only");
});

test("ranking: the window sharing the cursor's identifiers wins; other languages never qualify", () => {
  const chunks = selectExtraContext(query, allSnippets(), { languageId: "typescript", maxTokens: 400, maxChunks: 1 });
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0].sourcePath, "src/userService.ts");
  assert.match(chunks[0].text, /findUserById/);
  assert.match(chunks[0].text, /^\/\/ Path: src\/userService\.ts\n/);
  assert.equal(chunks[0].path, undefined, "the header is in the text; the engine's bare path line is not used");
  const all = selectExtraContext(query, allSnippets(), { languageId: "typescript", maxTokens: 10_000, maxChunks: 10, minScore: 0 });
  assert.ok(all.every((c) => !c.sourcePath.endsWith(".py")));
  // Unrelated code scores below the threshold.
  const relevant = selectExtraContext(query, allSnippets(), { languageId: "typescript", maxTokens: 10_000, maxChunks: 10 });
  assert.ok(relevant.every((c) => c.sourcePath !== "src/math.ts"));
});

test("dedup: no overlapping windows of one file, no identical text, nothing inside the prompt's own window", () => {
  const snippets = allSnippets();
  const chunks = selectExtraContext(query, snippets, { languageId: "typescript", maxTokens: 10_000, maxChunks: 10, minScore: 0.01 });
  for (const a of chunks) {
    for (const b of chunks) {
      if (a === b || a.sourcePath !== b.sourcePath) continue;
      assert.ok(a.endLine < b.startLine || b.endLine < a.startLine, `${a.id} overlaps ${b.id}`);
    }
  }
  // The same file open twice (a copy) gives the same text: only one is used.
  const copy = indexSnippets({ path: "src/copy/userService.ts", languageId: "typescript", lines: userService }, { windowLines: 6, step: 3 });
  const withCopy = selectExtraContext(query, [...snippets, ...copy], { languageId: "typescript", maxTokens: 10_000, maxChunks: 10, minScore: 0.01 });
  const texts = withCopy.map((c) => c.text.split("\n").slice(1).join("\n"));
  assert.equal(new Set(texts).size, texts.length);
  // The current file's windows overlapping the prompt are left out, others of the same file may be used.
  const current = selectExtraContext(query, snippets, {
    languageId: "typescript",
    maxTokens: 10_000,
    maxChunks: 10,
    minScore: 0.01,
    current: { path: "src/userService.ts", startLine: 4, endLine: 13 },
  });
  assert.ok(current.filter((c) => c.sourcePath === "src/userService.ts").every((c) => c.endLine < 4));
  // A snippet the prefix already contains verbatim is left out.
  const inPrefix = selectExtraContext(query, snippets, {
    languageId: "typescript",
    maxTokens: 10_000,
    minScore: 0.01,
    current: { path: "other.ts", startLine: 0, endLine: 0, prefix: userService.join("\n") },
  });
  assert.ok(inPrefix.every((c) => c.sourcePath !== "src/userService.ts"));
});

test("token cap: the chunks together stay within maxTokens (headers included)", () => {
  for (const maxTokens of [0, 20, 60, 120, 400]) {
    const chunks = selectExtraContext(query, allSnippets(), { languageId: "typescript", maxTokens, maxChunks: 10, minScore: 0.01 });
    const total = chunks.reduce((n, c) => n + estimateTokens(c.text), 0);
    assert.ok(total <= maxTokens, `${total} > ${maxTokens}`);
    assert.equal(total, chunks.reduce((n, c) => n + c.tokens, 0));
  }
});

test("order: most similar last (next to the prefix); previous chunks stay first and in order while they qualify", () => {
  const snippets = allSnippets();
  const options = { languageId: "typescript", maxTokens: 10_000, maxChunks: 3, minScore: 0.01 };
  const first = selectExtraContext(query, snippets, options);
  assert.ok(first.length >= 2);
  for (let i = 1; i < first.length; i++) assert.ok(first[i - 1].score <= first[i].score);
  // The cursor moves a little: the query changes, the chosen chunks (and so the prompt start) do not.
  const moved = `${query}\n    if (!user) return res.status(404).send();`;
  const again = selectExtraContext(moved, snippets, { ...options, previous: first.map((c) => c.id) });
  assert.deepEqual(
    again.map((c) => c.id),
    first.map((c) => c.id),
  );
  // A previous chunk that no longer qualifies is replaced.
  const elsewhere = selectExtraContext("clamp lerp Math min max", snippets, { ...options, previous: first.map((c) => c.id) });
  assert.ok(elsewhere.some((c) => c.sourcePath === "src/math.ts"));
});

test("an empty query or no candidates gives no chunks", () => {
  assert.deepEqual(selectExtraContext("", allSnippets(), { languageId: "typescript", maxTokens: 500 }), []);
  assert.deepEqual(selectExtraContext(query, [], { languageId: "typescript", maxTokens: 500 }), []);
});
