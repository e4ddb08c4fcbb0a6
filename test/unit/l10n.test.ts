// Localization stays complete: every `%key%` of package.json has an English text (package.nls.json) and a
// Simplified Chinese one (package.nls.zh-cn.json); l10n/bundle.l10n.json is what `npm run l10n:export` makes of
// the sources now, and l10n/bundle.l10n.zh-cn.json translates every string of it, keeping placeholders, code spans
// and setting links. The chat webview's strings (handed over by the host) are defined once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { CHAT_STRINGS, formatString, parseChatStrings, placeholders, serializeChatStrings } from "../../src/core/webviewStrings.ts";

const root = path.resolve(import.meta.dirname, "../..");

type Bundle = Record<string, string | { message: string; comment?: string[] }>;

function readJson<T>(relative: string): T {
  return JSON.parse(readFileSync(path.join(root, relative), "utf8")) as T;
}

function text(value: Bundle[string]): string {
  return typeof value === "string" ? value : value.message;
}

/** English texts that stay as they are in Chinese: product and format names. */
const SAME_IN_ALL_LANGUAGES = new Set(["Private Coder", "GGUF", "llama.cpp"]);

/** Every `%key%` string value anywhere in the manifest. */
function manifestReferences(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    const match = /^%([^%\s]+)%$/.exec(value);
    if (match) found.add(match[1]);
  } else if (Array.isArray(value)) {
    for (const item of value) manifestReferences(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) manifestReferences(item, found);
  }
  return found;
}

/** What a translation must carry over unchanged: `{n}` placeholders, `code spans` and `#setting.links#`. */
function invariants(value: string): Record<string, string[]> {
  return {
    placeholders: placeholders(value),
    code: Array.from(value.matchAll(/`[^`]*`/g), (m) => m[0]).sort(),
    settingLinks: Array.from(value.matchAll(/#privateCoder\.[\w.]+#/g), (m) => m[0]).sort(),
  };
}

/** Checks that `translated` has exactly `english`'s keys and a real, faithful translation for each. */
function assertTranslation(english: Bundle, translated: Bundle, name: string): void {
  const englishKeys = Object.keys(english).sort();
  const translatedKeys = Object.keys(translated).sort();
  assert.deepEqual(
    translatedKeys.filter((k) => !(k in english)),
    [],
    `${name}: stale keys (no longer in the English file)`,
  );
  assert.deepEqual(
    englishKeys.filter((k) => !(k in translated)),
    [],
    `${name}: keys without a translation`,
  );
  for (const key of englishKeys) {
    const source = text(english[key]);
    const target = text(translated[key]);
    assert.equal(typeof target, "string", `${name}: ${key}`);
    assert.ok(target.trim().length > 0, `${name}: empty translation of ${JSON.stringify(key)}`);
    if (/[A-Za-z]/.test(source) && !SAME_IN_ALL_LANGUAGES.has(source)) {
      assert.notEqual(target, source, `${name}: ${JSON.stringify(key)} is not translated`);
    }
    const expected = invariants(source);
    for (const [kind, found] of Object.entries(invariants(target))) {
      assert.deepEqual(found, expected[kind], `${name}: ${JSON.stringify(key)} changes its ${kind}`);
    }
  }
}

test("every %key% in package.json has an English text in package.nls.json, and every text there is used", () => {
  const references = manifestReferences(readJson("package.json"));
  const nls = readJson<Bundle>("package.nls.json");
  assert.ok(references.size > 20, `expected a localized manifest, found ${references.size} references`);
  assert.deepEqual([...references].filter((k) => !(k in nls)).sort(), [], "references without a text in package.nls.json");
  assert.deepEqual(Object.keys(nls).filter((k) => !references.has(k)).sort(), [], "stale keys in package.nls.json");
});

test("package.nls.zh-cn.json translates every key of package.nls.json", () => {
  assertTranslation(readJson<Bundle>("package.nls.json"), readJson<Bundle>("package.nls.zh-cn.json"), "package.nls.zh-cn.json");
});

test("package.json points VS Code at the l10n bundles", () => {
  assert.equal(readJson<{ l10n?: string }>("package.json").l10n, "./l10n");
});

test("l10n/bundle.l10n.json is up to date with the vscode.l10n.t strings of src/extension (run `npm run l10n:export`)", () => {
  const out = mkdtempSync(path.join(tmpdir(), "private-coder-l10n-"));
  try {
    const cli = path.join(root, "node_modules/@vscode/l10n-dev/dist/cli.js");
    execFileSync(process.execPath, [cli, "export", "-o", out, "./src/extension"], { cwd: root, stdio: "pipe" });
    const exportedPath = path.join(out, "bundle.l10n.json");
    const exported = existsSync(exportedPath) ? (JSON.parse(readFileSync(exportedPath, "utf8")) as Bundle) : {};
    const committed = readJson<Bundle>("l10n/bundle.l10n.json");
    assert.deepEqual(Object.keys(exported).filter((k) => !(k in committed)), [], "strings in the source, not in l10n/bundle.l10n.json");
    assert.deepEqual(Object.keys(committed).filter((k) => !(k in exported)), [], "strings in l10n/bundle.l10n.json, no longer in the source");
    assert.deepEqual(committed, exported);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("l10n/bundle.l10n.zh-cn.json translates every string of l10n/bundle.l10n.json", () => {
  const english = readJson<Bundle>("l10n/bundle.l10n.json");
  assert.ok(Object.keys(english).length > 50, "expected the runtime strings in the bundle");
  assertTranslation(english, readJson<Bundle>("l10n/bundle.l10n.zh-cn.json"), "l10n/bundle.l10n.zh-cn.json");
});

test("the translation check catches a lost placeholder, an untranslated text and a missing key", () => {
  const english = { "Loading {0}": "Loading {0}", "Use `0`": "Use `0`", Send: "Send" };
  assert.throws(() => assertTranslation(english, { "Loading {0}": "正在加载", "Use `0`": "使用 `0`", Send: "发送" }, "test"), /its placeholders/);
  assert.throws(() => assertTranslation(english, { "Loading {0}": "正在加载 {0}", "Use `0`": "使用 0", Send: "发送" }, "test"), /its code/);
  assert.throws(() => assertTranslation(english, { "Loading {0}": "正在加载 {0}", "Use `0`": "使用 `0`", Send: "Send" }, "test"), /not translated/);
  assert.throws(() => assertTranslation(english, { "Loading {0}": "正在加载 {0}", "Use `0`": "使用 `0`" }, "test"), /without a translation/);
  assert.throws(() => assertTranslation(english, { ...english, Stale: "旧" }, "test"), /stale/);
  assert.doesNotThrow(() => assertTranslation(english, { "Loading {0}": "正在加载 {0}", "Use `0`": "使用 `0`", Send: "发送" }, "test"));
});

/** `key: vscode.l10n.t("English")` entries of the object that `localizedChatStrings()` returns. */
function hostChatStrings(): Record<string, string> {
  const file = path.join(root, "src/extension/webviewStrings.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const entries: Record<string, string> = {};
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name?.text === "localizedChatStrings") {
      const returned = node.body?.statements.find(ts.isReturnStatement)?.expression;
      assert.ok(returned && ts.isObjectLiteralExpression(returned), "localizedChatStrings returns an object literal");
      for (const property of returned.properties) {
        assert.ok(ts.isPropertyAssignment(property) && ts.isIdentifier(property.name), `not a key: value entry: ${property.getText()}`);
        const call = property.initializer;
        assert.ok(
          ts.isCallExpression(call) && call.expression.getText() === "vscode.l10n.t" && call.arguments.length === 1 && ts.isStringLiteral(call.arguments[0]),
          `${property.name.text} must be vscode.l10n.t("literal") so the export tool finds it`,
        );
        entries[property.name.text] = call.arguments[0].text;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return entries;
}

test("the host translates exactly the chat webview's strings, with their English texts as literals", () => {
  assert.deepEqual(hostChatStrings(), { ...CHAT_STRINGS });
});

test("the webview takes the host's strings, falling back to English for missing, unknown or malformed ones", () => {
  assert.deepEqual(parseChatStrings(undefined), { ...CHAT_STRINGS });
  assert.deepEqual(parseChatStrings([1, 2]), { ...CHAT_STRINGS });
  const parsed = parseChatStrings({ send: "发送", stop: 42, regenerate: "  ", loadingModel: "正在加载", secretsRedacted: "已脱敏 {0} 处", extra: "x" });
  assert.equal(parsed.send, "发送");
  assert.equal(parsed.stop, CHAT_STRINGS.stop);
  assert.equal(parsed.regenerate, CHAT_STRINGS.regenerate);
  assert.equal(parsed.loadingModel, CHAT_STRINGS.loadingModel, "a translation that lost a placeholder is not used");
  assert.equal(parsed.secretsRedacted, "已脱敏 {0} 处");
  assert.ok(!("extra" in parsed));
  assert.equal(formatString(CHAT_STRINGS.loadingModel, "qwen", 42), "Loading qwen… 42%");
  assert.equal(formatString("{1} / {0} / {2}", "a", "b"), "b / a / {2}");
});

test("the strings' JSON cannot close its <script> element", () => {
  const json = serializeChatStrings({ ...CHAT_STRINGS, send: "</script><script>alert(1)</script>" });
  assert.ok(!json.includes("<"));
  assert.equal((JSON.parse(json) as { send: string }).send, "</script><script>alert(1)</script>");
});
