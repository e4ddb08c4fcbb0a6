// The usage log in the real extension host with the tiny synthetic model: an accepted completion, one typed
// through, a chat answer and an Explain each leave a well-formed line with the right outcome and no content (the
// lines are scanned for every string of the files and messages the test used); the log turns off by setting; the
// statistics dashboard opens and counts them; the output channel's log file holds no content either.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { parseUsageRecord, USAGE_FILE, type UsageRecord } from "../../src/core/usage/index.ts";
import { activateExtension, closeChatAndModels, openChatWithTinyModel, recordUserOutcomes, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

/** Every field a usage line may have: anything else would be a place for content to hide. */
const FIELDS = new Set(["v", "t", "feature", "backend", "model", "lang", "outcome", "acceptedBy", "acceptedChars", "source", "cacheHit", "reason", "promptTokens", "reusedTokens", "generatedTokens", "ttftMs", "totalMs", "tokensPerSecond", "stopReason", "drafting", "draftsAccepted", "draftsRejected", "redactions"]);

const SOURCE = [
  "export interface Parcel {",
  "  weightGrams: number;",
  "  destinationCode: string;",
  "}",
  "",
  "export function heaviestParcel(parcels: Parcel[]): Parcel | undefined {",
  "  let heaviest: Parcel | undefined;",
  "  for (const parcel of parcels) {",
  "    if (!heaviest || parcel.weightGrams > heaviest.weightGrams) heaviest = parcel;",
  "  }",
  "  ",
  "}",
  "",
  "export function shippingLabel(parcel: Parcel): string {",
  "  ",
  "}",
  "",
].join("\n");
const PLACES = [new vscode.Position(10, 2), new vscode.Position(14, 2), new vscode.Position(6, 36), new vscode.Position(12, 0), new vscode.Position(2, 26)];
const QUESTION = "Which parcel weighs the most in zanzibarWarehouse?";

function folder(): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, "the integration workspace has a folder");
  return path.join(root, "usage-test");
}

async function openFile(name: string, text: string): Promise<vscode.TextEditor> {
  const file = path.join(folder(), name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
}

/**
 * Every string a usage line must not contain: the texts' lines, words and the names of the files. Short words, and
 * words inside the log's own vocabulary (field names and values such as `prefetch`, which holds "fetch"), would
 * match by chance: they are ours, not the user's.
 */
function contentStrings(texts: readonly string[], names: readonly string[], vocabulary: readonly string[] = []): string[] {
  const out = new Set<string>(names);
  const ours = [...VOCABULARY, ...vocabulary].map((v) => v.toLowerCase());
  for (const text of texts) {
    for (const line of text.split("\n")) if (line.trim().length >= 6) out.add(line.trim());
    for (const word of text.split(/[^A-Za-z0-9_$]+/)) if (word.length >= 5 && !ours.some((v) => v.includes(word.toLowerCase()))) out.add(word);
  }
  return [...out];
}

/** The field names and text values of the records: the log's own words. */
function vocabularyOf(records: readonly UsageRecord[]): string[] {
  const words = new Set<string>(FIELDS);
  for (const r of records) for (const v of Object.values(r)) if (typeof v === "string") words.add(v);
  return [...words];
}
const VOCABULARY = new Set(["undefined", "length", "return", "export", "function", "local", "engine", "cache", "shown", "accepted", "completion", "explain", "answered", "source", "false", "redactions", "outcome", "string", "number", "model"]);

describe("Usage log and statistics in the extension host", function () {
  this.timeout(300_000);
  let api: PrivateCoderApi;
  const records: UsageRecord[] = [];
  const texts: string[] = [];
  const names: string[] = [];
  let subscription: { dispose(): void } | undefined;

  before(async () => {
    api = await activateExtension();
    // Debug and trace lines are scanned too: the engine's own lines, the child's stderr and the request traces.
    await vscode.commands.executeCommand("_extensionTests.setLogLevel", "trace");
    await waitFor("the log channel at trace level", () => api.ctx.log.logLevel === vscode.LogLevel.Trace);
    await openChatWithTinyModel(api);
    await api.ctx.config.update("completion.enabled", true);
    await api.ctx.config.update("completion.alternatives", 1);
    await api.ctx.config.update("completion.debounceMs", 100);
    await api.usage.clear();
    subscription = api.usage.onDidRecord((r) => records.push(r));
    const editor = await openFile("warmup.ts", SOURCE);
    await waitFor("the completion model to load", async () => {
      await api.completion.provider.complete(editor.document, PLACES[0], true, new vscode.CancellationTokenSource().token);
      return api.completion.loader.ready;
    }, 120_000);
  });

  after(async () => {
    subscription?.dispose();
    await vscode.commands.executeCommand("_extensionTests.setLogLevel", "info");
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    for (const key of ["completion.alternatives", "completion.debounceMs", "usage.enabled"] as const) await api.ctx.config.update(key, undefined as never);
    await closeChatAndModels(api);
  });

  it("an accepted completion (VS Code's trigger, then Tab) is one line: accepted, in full, with its metrics", async () => {
    let accepted: UsageRecord | undefined;
    for (const [i, place] of PLACES.entries()) {
      const name = `accept-${i}.ts`;
      names.push(name);
      texts.push(SOURCE);
      const editor = await openFile(name, SOURCE);
      editor.selection = new vscode.Selection(place, place);
      const recorder = recordUserOutcomes(api);
      try {
        await vscode.commands.executeCommand(COMMANDS.triggerInlineCompletion);
        await waitFor("VS Code to call the provider, and an answer", () => recorder.outcomes.some((o) => o.explicit && o.kind !== "declined") && !api.completion.pipeline.busy, 60_000);
      } finally {
        recorder.dispose();
      }
      if (!recorder.outcomes.some((o) => o.explicit && o.items > 0)) continue; // the tiny model's gibberish was dropped here
      await new Promise((r) => setTimeout(r, 300));
      const original = editor.document.getText();
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
      await waitFor("the suggestion to be inserted", () => editor.document.getText() !== original, 10_000);
      await waitFor("the accepted record", () => (accepted = records.find((r) => r.outcome === "accepted")) !== undefined, 10_000);
      texts.push(editor.document.getText());
      break;
    }
    assert.ok(accepted, `no place gave a suggestion to accept: ${JSON.stringify(records)}`);
    assert.equal(accepted.feature, "completion");
    assert.equal(accepted.acceptedBy, "full");
    assert.ok((accepted.acceptedChars ?? 0) > 0, "characters accepted");
    assert.equal(accepted.backend, "local");
    assert.match(accepted.lang ?? "", /^[0-9a-f]{8}$/);
    if (accepted.source === "engine") assert.ok((accepted.promptTokens ?? 0) > 0 && accepted.ttftMs !== undefined, JSON.stringify(accepted));
  });

  it("a completion typed through is one line: typedThrough, and the rest of it came from memory", async () => {
    // A known suggestion on screen (what memory holds after the model answered), so the test does not depend on
    // what the tiny model writes: VS Code asks at its place, then the user types its first characters.
    const editor = await openFile("typed.ts", "const courierGreeting = \n");
    names.push("typed.ts");
    texts.push('"hello parcel";', "courierGreeting");
    const document = editor.document;
    const token = () => new vscode.CancellationTokenSource().token;
    api.completion.pipeline.cache.remember({ documentId: document.uri.toString(), line: 0, character: 24, linePrefix: "const courierGreeting = " }, '"hello parcel";');
    const before = records.length;
    const shown = await api.completion.provider.complete(document, new vscode.Position(0, 24), false, token());
    assert.deepEqual(shown.items, ['"hello parcel";']);
    await editor.edit((b) => b.insert(new vscode.Position(0, 24), '"he'));
    const rest = await api.completion.provider.complete(document, new vscode.Position(0, 27), false, token());
    assert.equal(rest.source, "typeThrough");
    let typed: UsageRecord | undefined;
    await waitFor("the typed-through record", () => (typed = records.slice(before).find((r) => r.outcome === "typedThrough")) !== undefined, 10_000);
    assert.ok(typed);
    assert.deepEqual([typed.feature, typed.source, typed.cacheHit], ["completion", "typeThrough", true]);
    assert.equal(typed.promptTokens, undefined, "memory asked no model");
  });

  it("a chat answer is one line: answered, with tokens, times and the generation speed; the status item says generating", async () => {
    await api.backends.ensureModel("chat");
    const before = records.length;
    // The item renders on the same event before this listener runs (it subscribed at activation).
    const itemTexts: string[] = [];
    const watch = api.chat.onDidChangeGenerating((generating) => itemTexts.push(`${String(generating)} ${api.statusBar.text}`));
    try {
      await api.chat.send(QUESTION);
    } finally {
      watch.dispose();
    }
    assert.match(itemTexts[0] ?? "", /^true .*generating…/, itemTexts.join(" | "));
    assert.match(itemTexts.at(-1) ?? "", /^false (?!.*generating)/, itemTexts.join(" | "));
    assert.match(itemTexts.at(-1) ?? "", /t\/s/, "after the answer the item shows its speed");
    texts.push(QUESTION, ...api.chat.current.turns.map((t) => t.text));
    const chat = records.slice(before).find((r) => r.feature === "chat");
    assert.ok(chat, "a chat record");
    assert.ok(chat.outcome === "answered" || chat.outcome === "stopped", chat.outcome);
    assert.ok((chat.promptTokens ?? 0) > 0 && (chat.generatedTokens ?? 0) > 0, JSON.stringify(chat));
    assert.ok(chat.totalMs > 0 && chat.ttftMs !== undefined);
  });

  it("an Explain is one line: explain, answered, counting the secret the filter redacted", async () => {
    const secret = "ghp_" + Array.from(randomBytes(36), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
    const text = `export function courierToken() {\n  const courierSecret = "${secret}";\n  return courierSecret.length;\n}\n`;
    const editor = await openFile("explain-usage.ts", text);
    names.push("explain-usage.ts");
    texts.push(text);
    editor.selection = new vscode.Selection(0, 0, 3, 1);
    const before = records.length;
    await vscode.commands.executeCommand(COMMANDS.explainSelection);
    await api.chat.idle();
    await waitFor("the Explain record", () => records.slice(before).some((r) => r.feature === "explain"), 60_000);
    texts.push(...api.chat.current.turns.map((t) => t.text));
    const explain = records.slice(before).find((r) => r.feature === "explain");
    assert.ok(explain);
    assert.ok(explain.outcome === "answered" || explain.outcome === "stopped", explain.outcome);
    assert.equal(explain.redactions, 1);
  });

  it("the log on disk: well-formed lines, only metadata fields, none of the texts, file names or paths", async () => {
    await api.usage.flush();
    const raw = await readFile(path.join(api.usage.dir, USAGE_FILE), "utf8");
    const lines = raw.split("\n").filter((l) => l !== "");
    assert.ok(lines.length >= 4, `${lines.length} lines`);
    for (const line of lines) {
      const record = parseUsageRecord(line);
      assert.ok(record, `not a record: ${line}`);
      for (const key of Object.keys(JSON.parse(line) as object)) assert.ok(FIELDS.has(key), `unexpected field ${key} in ${line}`);
    }
    const outcomes = lines.map((l) => parseUsageRecord(l)).map((r) => `${r?.feature}:${r?.outcome}`);
    // Completions from the engine say whether they drafted (speculative decoding is on, `auto`, by default): counts only.
    const drafted = lines.map((l) => parseUsageRecord(l)).filter((r) => r?.feature === "completion" && r.source === "engine" && r.generatedTokens !== undefined);
    assert.ok(drafted.length > 0 && drafted.every((r) => typeof r?.drafting === "boolean" && Number.isInteger(r.draftsAccepted) && Number.isInteger(r.draftsRejected)), JSON.stringify(drafted));
    for (const expected of ["completion:accepted", "completion:typedThrough"]) assert.ok(outcomes.includes(expected), `${expected} in ${outcomes.join(", ")}`);
    assert.ok(outcomes.some((o) => o.startsWith("chat:")) && outcomes.some((o) => o.startsWith("explain:")), outcomes.join(", "));
    const forbidden = contentStrings(texts, [...names, folder(), "usage-test", "typescript"], vocabularyOf(lines.map((l) => parseUsageRecord(l)).filter((r) => r !== undefined)));
    assert.ok(forbidden.length > 30, `${forbidden.length} strings to look for`);
    for (const s of forbidden) assert.ok(!raw.includes(s), `the usage log holds ${JSON.stringify(s)}`);
  });

  it("usage.enabled off: a request leaves no record; on again: it does", async () => {
    await api.ctx.config.update("usage.enabled", false);
    await waitFor("the setting", () => !api.usage.enabled);
    const before = records.length;
    await api.chat.send("One more question while the log is off.");
    assert.equal(records.length, before, "nothing recorded while off");
    await api.ctx.config.update("usage.enabled", true);
    await waitFor("the setting", () => api.usage.enabled);
    await api.chat.send("And one with the log on again.");
    assert.equal(records.slice(before).filter((r) => r.feature === "chat").length, 1);
  });

  it("Show Statistics opens the dashboard, which draws its charts and counts the requests above", async () => {
    const rendered = new Promise<Parameters<Parameters<PrivateCoderApi["usage"]["onDidRenderStatistics"]>[0]>[0]>((resolve) => {
      const once = api.usage.onDidRenderStatistics((r) => {
        once.dispose();
        resolve(r);
      });
    });
    await vscode.commands.executeCommand(COMMANDS.showStatistics);
    const render = await Promise.race([rendered, new Promise<never>((_r, reject) => setTimeout(() => reject(new Error("the dashboard did not render in 60 s")), 60_000))]);
    const { summary } = render;
    const log = await api.usage.read();
    const count = (feature: string) => log.records.filter((r) => r.feature === feature).length;
    assert.equal(summary.records, log.records.length);
    assert.equal(summary.byFeature.chat, count("chat"));
    assert.equal(summary.byFeature.explain, count("explain"));
    assert.equal(summary.byFeature.completion, count("completion"));
    assert.ok(summary.acceptance.accepted >= 1 && summary.acceptance.typedThrough >= 1, JSON.stringify(summary.acceptance));
    assert.ok(render.charts >= 3, `${render.charts} charts`);
    console.log(`statistics: first render ${render.pageMs} ms in the page, host ${render.hostMs} ms, ${summary.records} records`);
  });

  it("the output channel's log file holds no content either", async () => {
    const dir = api.ctx.extensionContext.logUri.fsPath;
    const candidates = [dir, path.dirname(dir)];
    const files: string[] = [];
    for (const candidate of candidates) {
      const entries = await readdir(candidate).catch(() => [] as string[]);
      for (const entry of entries) if (entry.endsWith(".log") && /private.coder/i.test(entry)) files.push(path.join(candidate, entry));
    }
    const logs = [];
    for (const file of files) if ((await stat(file)).isFile()) logs.push(await readFile(file, "utf8"));
    const all = logs.join("\n");
    assert.ok(all.includes("activated"), `the Private Coder log file was found (${files.join(", ") || "none"})`);
    assert.match(all, /\[(debug|trace)\]/, "debug and trace lines were written and are scanned too");
    // What the user wrote (files, the question, the secret), not the model's random answers, whose words may be ours.
    const userTexts = [SOURCE, QUESTION, ...texts.filter((t) => t.includes("courier"))];
    for (const s of contentStrings(userTexts, names)) assert.ok(!all.includes(s), `the log file holds ${JSON.stringify(s)}`);
  });

  it("the status item says 'starting' while the engine process starts, then loading n %, then the model", async () => {
    await api.backends.restart();
    const seen: string[] = [];
    const watch = api.modelStatus.onDidChange(() => seen.push(api.statusBar.text));
    try {
      await api.backends.ensureModel("chat");
    } finally {
      watch.dispose();
    }
    const starting = seen.findIndex((t) => t.includes("Starting engine…"));
    assert.ok(starting >= 0, seen.join(" | "));
    const ready = seen.findIndex((t, i) => i > starting && /\$\(hubot\) /.test(t));
    assert.ok(ready > starting, `the model name after 'starting': ${seen.join(" | ")}`);
    assert.ok(seen.slice(starting + 1, ready).every((t) => !t.includes("Starting")), seen.join(" | "));
  });
});
