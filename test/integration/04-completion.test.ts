// Inline completion inside the real VS Code extension host with the tiny synthetic model: the provider produces
// items (called directly, and through VS Code's own trigger), a keystroke cancels the pending request so only the
// last one reaches the engine, an excluded file (.env) gets nothing and sends nothing, and the accept-word /
// accept-line commands insert part of a suggestion. The model writes gibberish: the tests assert behaviour.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { activateExtension, recordUserOutcomes, useCompletionModel, userRequests, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

const SOURCE = [
  "export interface Item {",
  "  name: string;",
  "  price: number;",
  "}",
  "",
  "export function total(items: Item[]): number {",
  "  let sum = 0;",
  "  for (const item of items) {",
  "    sum += item.price;",
  "  }",
  "  return sum;",
  "}",
  "",
  "export function cheapest(items: Item[]): Item | undefined {",
  "  ",
  "}",
  "",
].join("\n");

function folder(): string {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, "the integration workspace has a folder");
  return path.join(root, "completion-test");
}

async function openFile(name: string, text: string): Promise<vscode.TextEditor> {
  const file = path.join(folder(), name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(document, { preview: false });
}

function tokenSource(): vscode.CancellationTokenSource {
  return new vscode.CancellationTokenSource();
}

describe("Inline completion in the extension host", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;

  before(async () => {
    api = await activateExtension();
    await useCompletionModel(api);
  });

  after(async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await api.ctx.config.update("completion.debounceMs", undefined as unknown as number);
    await api.ctx.config.update("completion.alternatives", undefined as unknown as number);
    await api.ctx.config.update("completion.modelPath", "");
  });

  it("loads the completion model in the background on the first request, declining automatic requests until it is ready", async () => {
    const editor = await openFile("cart.ts", SOURCE);
    const position = new vscode.Position(14, 2);
    // An automatic request (typing) never waits for the model: it starts the load and declines.
    const first = await api.completion.provider.complete(editor.document, position, false, tokenSource().token);
    // Either it was already loaded by an earlier suite, or this request started the load and declined.
    if (first.reason === "modelNotReady") {
      await waitFor("the completion model to load", () => api.completion.loader.ready, 120_000);
    }
    assert.equal(api.completion.loader.ready, true);
    assert.match(api.completion.status.text, /ms|ready/);
  });

  it("Alt+\\ pressed while the completion model loads waits for it and is answered, with no second key press", async () => {
    // Restarting the engine unloads the models; the next request finds the completion model not loaded.
    await api.backends.restart();
    await waitFor("the completion model to be unloaded", () => !api.completion.loader.ready && !api.completion.loader.loading, 30_000);
    const editor = await openFile("asked-while-loading.ts", SOURCE);
    editor.selection = new vscode.Selection(14, 2, 14, 2);
    const recorder = recordUserOutcomes(api);
    try {
      // VS Code's own trigger, as Alt+\ runs it: VS Code asks the provider once for this place and version.
      await vscode.commands.executeCommand(COMMANDS.triggerInlineCompletion);
      await waitFor("the completion model to start loading", () => api.completion.loader.loading || api.completion.loader.ready, 30_000);
      await waitFor("the explicit request to be answered once the model is ready", () => recorder.outcomes.some((o) => o.explicit && o.engineRequests > 0), 120_000);
      const explicit = recorder.outcomes.filter((o) => o.explicit);
      assert.ok(!explicit.some((o) => o.reason === "modelNotReady"), `the explicit request was not declined: ${JSON.stringify(explicit.map((o) => [o.kind, o.reason]))}`);
    } finally {
      recorder.dispose();
    }
  });

  it("Alt+\\ waiting for the model gives up when the request is cancelled (typing on), and the load goes on", async () => {
    await api.backends.restart();
    await waitFor("the completion model to be unloaded", () => !api.completion.loader.ready && !api.completion.loader.loading, 30_000);
    const editor = await openFile("cancelled-while-loading.ts", SOURCE);
    const cancel = tokenSource();
    const requests = userRequests(api);
    const pending = api.completion.provider.complete(editor.document, new vscode.Position(14, 2), true, cancel.token);
    await waitFor("the completion model to start loading", () => api.completion.loader.loading, 30_000);
    cancel.cancel();
    const result = await pending;
    assert.equal(result.items.length, 0, "a cancelled request shows nothing");
    assert.equal(userRequests(api), requests, "a request cancelled while waiting for the model never reaches the engine");
    await waitFor("the completion model to finish loading all the same", () => api.completion.loader.ready, 120_000);
  });

  it("produces inline items for a position in a TypeScript file (provider called directly)", async () => {
    const editor = await openFile("cart.ts", SOURCE);
    const before = api.completion.stats.engineRequests;
    let shown = 0;
    // Several cursor positions: the gibberish of the tiny model is sometimes dropped by post-processing.
    const positions = [new vscode.Position(14, 2), new vscode.Position(6, 13), new vscode.Position(10, 9), new vscode.Position(8, 11)];
    for (const position of positions) {
      const result = await api.completion.provider.complete(editor.document, position, true, tokenSource().token);
      assert.ok(["engine", "empty", "cache", "typeThrough"].includes(result.source), `unexpected ${result.source} (${String(result.reason)})`);
      for (const item of result.items) assert.ok(item.trim().length > 0, "no whitespace-only item");
      shown += result.items.length;
    }
    assert.ok(api.completion.stats.engineRequests > before, "requests reached the engine");
    assert.ok(shown > 0, "at least one position produced an inline item");
  });

  it("prefetches the next completion at low priority after a suggestion is shown", async () => {
    const editor = await openFile("prefetch.ts", SOURCE);
    const prefetches = api.completion.stats.prefetchRequests;
    let shown = false;
    for (const position of [new vscode.Position(14, 2), new vscode.Position(6, 13), new vscode.Position(10, 9), new vscode.Position(12, 0)]) {
      const result = await api.completion.provider.complete(editor.document, position, true, tokenSource().token);
      if (result.items.length > 0) {
        shown = true;
        break;
      }
    }
    assert.ok(shown, "a suggestion was shown");
    await waitFor("a speculative prefetch to reach the engine", () => api.completion.stats.prefetchRequests > prefetches, 30_000);
  });

  it("evaluates the full prompt in the background after a pause at a place, so the suggestion there is ready", async () => {
    const editor = await openFile("pause.ts", SOURCE);
    const grown = api.completion.stats.growRequests;
    // The user moves to a place in a file the engine has not seen and stops for more than two seconds.
    editor.selection = new vscode.Selection(14, 2, 14, 2);
    await waitFor("the growth prefetch after the pause", () => api.completion.stats.growRequests > grown, 20_000);
    await waitFor("the prefetch to finish", () => !api.completion.pipeline.busy, 30_000);
    const requests = userRequests(api);
    const result = await api.completion.provider.complete(editor.document, new vscode.Position(14, 2), false, tokenSource().token);
    assert.equal(result.source, "cache", `${result.source} (${String(result.reason)})`);
    assert.equal(userRequests(api), requests, "the suggestion came without a new engine request");
  });

  it("serves the rest of a shown suggestion from memory while the user types it (typing-through)", async () => {
    const editor = await openFile("typing.ts", "const greeting = \n");
    const cache = api.completion.pipeline.cache;
    cache.remember({ documentId: editor.document.uri.toString(), line: 0, character: 17, linePrefix: "const greeting = " }, '"hello world";');
    await editor.edit((b) => b.insert(new vscode.Position(0, 17), '"hel'));
    const requests = userRequests(api);
    const result = await api.completion.provider.complete(editor.document, new vscode.Position(0, 21), false, tokenSource().token);
    assert.equal(result.source, "typeThrough");
    assert.deepEqual(result.items, ['lo world";']);
    assert.ok(result.totalMs < 50, `typing-through took ${result.totalMs} ms`);
    assert.equal(userRequests(api), requests, "no engine request");
  });

  it("goes through VS Code's own trigger (editor.action.inlineSuggest.trigger) to the provider and the engine", async () => {
    const editor = await openFile("trigger.ts", SOURCE);
    editor.selection = new vscode.Selection(14, 2, 14, 2);
    const requests = api.completion.stats.engineRequests;
    const recorder = recordUserOutcomes(api);
    try {
      await vscode.commands.executeCommand(COMMANDS.triggerInlineCompletion);
      await waitFor("VS Code to call the provider, and the pipeline to answer", () => recorder.outcomes.some((o) => o.explicit && o.kind !== "declined"), 60_000);
      await waitFor("the request to reach the engine", () => api.completion.stats.engineRequests > requests, 60_000);
    } finally {
      recorder.dispose();
    }
  });

  it("cancels pending requests when typing continues: of 8 quick keystrokes only the last reaches the engine", async () => {
    await api.ctx.config.update("completion.debounceMs", 1500);
    await waitFor("the debounce setting", () => api.ctx.config.get("completion.debounceMs") === 1500);
    // The document is not shown in an editor, so VS Code itself does not call the provider: this test plays VS Code.
    const file = path.join(folder(), "typing-fast.ts");
    await mkdir(folder(), { recursive: true });
    await writeFile(file, SOURCE);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const requests = userRequests(api);
    const line = 14;
    const word = "return 1";
    const results: Promise<{ source: string }>[] = [];
    let previous: vscode.CancellationTokenSource | undefined;
    for (let i = 1; i <= word.length; i++) {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(document.uri, new vscode.Position(line, 2 + i - 1), word[i - 1]);
      await vscode.workspace.applyEdit(edit);
      // What VS Code does on each keystroke: cancel the previous request, start a new one.
      previous?.cancel();
      previous = tokenSource();
      results.push(api.completion.provider.complete(document, new vscode.Position(line, 2 + i), false, previous.token));
      await new Promise((r) => setTimeout(r, 30));
    }
    const settled = await Promise.all(results);
    const sources = settled.map((r) => r.source);
    assert.deepEqual(sources.slice(0, -1).filter((s) => s !== "cancelled" && s !== "declined"), [], `earlier keystrokes: ${sources.join(",")}`);
    assert.ok(["engine", "empty"].includes(sources[sources.length - 1]), `last keystroke: ${sources.join(",")}`);
    const reached = userRequests(api) - requests;
    assert.equal(reached, 1, `${reached} requests reached the engine for ${word.length} keystrokes`);
  });

  it("aborts the engine request in flight when the token is cancelled", async () => {
    await api.ctx.config.update("completion.debounceMs", 1);
    const editor = await openFile("abort.ts", SOURCE);
    const source = tokenSource();
    const cancelledBefore = api.completion.stats.cancelled;
    const pending = api.completion.provider.complete(editor.document, new vscode.Position(14, 2), false, source.token);
    let answered = false;
    void pending.then(() => (answered = true));
    // `busy`: the pipeline's request is at the backend now.
    await waitFor("the request to reach the engine", () => api.completion.pipeline.busy || answered, 30_000);
    source.cancel();
    const result = await pending;
    // The tiny model may already have answered; if not, the request was aborted at the engine and counted.
    if (result.source === "cancelled") assert.ok(api.completion.stats.cancelled > cancelledBefore, "the aborted engine request is counted");
    assert.ok(["cancelled", "engine", "empty", "cache"].includes(result.source), result.source);
  });

  it("gives an excluded file (.env) nothing and sends no request", async () => {
    const editor = await openFile(".env", "API_URL=https://example.invalid\nDEBUG=\n");
    const requests = userRequests(api);
    const explicit = await api.completion.provider.complete(editor.document, new vscode.Position(1, 6), true, tokenSource().token);
    const typed = await api.completion.provider.complete(editor.document, new vscode.Position(1, 6), false, tokenSource().token);
    assert.equal(explicit.items.length, 0);
    assert.equal(explicit.reason, "excluded");
    assert.equal(typed.reason, "excluded");
    assert.equal(userRequests(api), requests, "no request reached the engine");
    // The status item says so: the file is excluded, and the explicit request said why it showed nothing.
    await waitFor("the status item to show the exclusion", () => api.completion.status.kind === "excluded", 10_000);
    assert.match(api.completion.status.text, /excluded/);
  });

  it("sends a secret in the file only as a placeholder: the completion prompt goes through the safety service", async () => {
    // Generated at run time so no token-shaped string is committed.
    const secret = "ghp_" + Array.from(randomBytes(36), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
    const editor = await openFile("secret.ts", `const token = "${secret}";\n${SOURCE}`);
    const requests = userRequests(api);
    const result = await api.completion.provider.complete(editor.document, new vscode.Position(15, 2), true, tokenSource().token);
    assert.ok(["engine", "empty"].includes(result.source), `${result.source} (${String(result.reason)})`);
    assert.ok(userRequests(api) > requests);
    const seen = api.safety.describeLastPrompts();
    assert.ok(seen.includes("<secret:"), "the placeholder is in what the model saw");
    assert.ok(!seen.includes(secret), "the secret never reached the model");
  });

  it("accepts the next word and the next line of a visible suggestion (Copilot's commands)", async () => {
    await api.ctx.config.update("completion.debounceMs", 250);
    // One suggestion per explicit trigger: with alternatives the trigger would ask the model instead of memory.
    await api.ctx.config.update("completion.alternatives", 1);
    const editor = await openFile("accept.ts", "function f() {\n  \n}\n");
    const document = editor.document;
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    // A known suggestion at the cursor (what the cache holds after the model answered), so the test is exact.
    api.completion.pipeline.cache.remember({ documentId: document.uri.toString(), line: 1, character: 2, linePrefix: "  " }, "const answer = 42;\n  return answer;");
    const recorder = recordUserOutcomes(api);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    await waitFor("the suggestion to be offered", () => recorder.outcomes.some((o) => o.kind === "typedThrough"), 15_000);
    recorder.dispose();
    await new Promise((r) => setTimeout(r, 300));
    await vscode.commands.executeCommand("editor.action.inlineSuggest.acceptNextWord");
    await waitFor("a word to be inserted", () => document.lineAt(1).text.trim().length > 0, 10_000);
    const afterWord = document.lineAt(1).text;
    assert.ok("  const answer = 42;".startsWith(afterWord.trimEnd()) && afterWord.trim().length < "const answer = 42;".length, `after accept word: ${JSON.stringify(afterWord)}`);

    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    await new Promise((r) => setTimeout(r, 500));
    await vscode.commands.executeCommand("editor.action.inlineSuggest.acceptNextLine");
    await waitFor("the line to be inserted", () => document.lineAt(1).text === "  const answer = 42;", 10_000);
  });

  it("cycles alternatives with Alt+] (showNext) and accepts the one shown (commit)", async () => {
    await api.ctx.config.update("completion.alternatives", 3);
    await waitFor("the alternatives setting", () => api.ctx.config.get("completion.alternatives") === 3);
    const original = SOURCE;
    // The tiny model writes gibberish that post-processing sometimes drops or that repeats: try places until one
    // gives at least two different suggestions.
    const places = [new vscode.Position(14, 2), new vscode.Position(6, 13), new vscode.Position(10, 9), new vscode.Position(12, 0), new vscode.Position(2, 9), new vscode.Position(5, 0)];
    let items: readonly string[] = [];
    let editor: vscode.TextEditor | undefined;
    let place: vscode.Position | undefined;
    for (const [i, position] of places.entries()) {
      editor = await openFile(`cycle-${i}.ts`, original);
      editor.selection = new vscode.Selection(position, position);
      const recorder = recordUserOutcomes(api);
      try {
        await vscode.commands.executeCommand(COMMANDS.triggerInlineCompletion);
        await waitFor("VS Code to call the provider, and an answer", () => recorder.outcomes.some((o) => o.explicit) && !api.completion.pipeline.busy, 60_000);
      } finally {
        recorder.dispose();
      }
      if (recorder.outcomes.some((o) => o.explicit && o.items >= 2)) {
        // The same explicit request again answers from the cache: the texts VS Code is cycling through.
        const again = await api.completion.provider.complete(editor.document, position, true, tokenSource().token);
        if (again.items.length >= 2) {
          items = again.items;
          place = position;
          break;
        }
      }
    }
    assert.ok(editor && place && items.length >= 2, "some place gave two or more different suggestions");
    const offset = editor.document.offsetAt(place);
    const withItem = (item: string) => original.slice(0, offset) + item + original.slice(offset);
    // Let the first suggestion render, then Alt+] (VS Code asks again explicitly; the answer comes from the cache).
    await new Promise((r) => setTimeout(r, 500));
    const requests = userRequests(api);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.showNext");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(userRequests(api), requests, "cycling generated nothing new: the alternatives came from the cache");
    await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
    const document = editor.document;
    await waitFor("a suggestion to be inserted", () => document.getText() !== original, 10_000);
    const inserted = items.findIndex((item) => document.getText() === withItem(item));
    assert.ok(inserted >= 1, `the accepted text is an alternative after the first (index ${inserted}): ${JSON.stringify(document.getText().slice(offset, offset + 80))} of ${JSON.stringify(items)}`);
  });

  it("turns automatic completion off for a disabled language but keeps the explicit trigger", async () => {
    await api.ctx.config.update("completion.disabledLanguages", ["typescript"]);
    // Restored whatever happens: the setting lives in the user settings the later suites and UI scripts share.
    try {
      await waitFor("the setting", () => api.ctx.config.get("completion.disabledLanguages").includes("typescript"));
      const editor = await openFile("disabled.ts", SOURCE);
      const typed = await api.completion.provider.complete(editor.document, new vscode.Position(14, 2), false, tokenSource().token);
      assert.equal(typed.reason, "disabled");
      assert.equal(api.completion.status.kind, "disabled");
    } finally {
      await api.ctx.config.update("completion.disabledLanguages", undefined as unknown as string[]);
    }
  });
});
