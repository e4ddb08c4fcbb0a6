// Inline completion in a real multi-root workspace (the runner opens a `.code-workspace` with the folders `app` and
// `lib`, see test/runner/workspace.ts): each folder's `.privatecoderignore` applies to its own files only, and is
// picked up when it changes; the prompt's path header names the folder; recently viewed files of the other folder
// feed extra context, excluded ones never do. The tiny synthetic model writes gibberish: the tests assert what
// reaches the model (the safety service's record of the last prompt) and how many requests reach the engine.
import * as assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { activateExtension, useCompletionModel, userRequests, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

const CHECKOUT = [
  'import type { MoneyAmount } from "../../lib/src/money";',
  "",
  "export function totalAmount(amounts: MoneyAmount[], currency: string): MoneyAmount {",
  "  let cents = 0;",
  "  for (const amount of amounts) {",
  "    ",
  "  }",
  "  return { cents, currency };",
  "}",
  "",
].join("\n");

function folderPath(name: "app" | "lib"): string {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === name);
  assert.ok(folder, `the workspace has a folder named ${name}`);
  return folder.uri.fsPath;
}

async function write(folder: "app" | "lib", relative: string, text: string): Promise<vscode.Uri> {
  const file = path.join(folderPath(folder), relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return vscode.Uri.file(file);
}

async function show(uri: vscode.Uri): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: false });
}

/** The completion section of "Show What the Model Sees": the exact text of the last completion prompt. */
function lastCompletionPrompt(api: PrivateCoderApi): string {
  const all = api.safety.describeLastPrompts();
  const start = all.indexOf("# ===== completion =====");
  const end = all.indexOf("# ===== chat =====");
  assert.ok(start >= 0 && end > start, "the description has a completion section");
  return all.slice(start, end);
}

async function complete(api: PrivateCoderApi, editor: vscode.TextEditor, position: vscode.Position) {
  return api.completion.provider.complete(editor.document, position, true, new vscode.CancellationTokenSource().token);
}

describe("Inline completion in a multi-root workspace", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;

  before(async () => {
    api = await activateExtension();
    await useCompletionModel(api);
    // A fixed prompt size, so there is room for extra context whatever speed the tiny model measured.
    await api.ctx.config.update("completion.maxPromptTokens", 1024);
    await waitFor("the prompt size setting", () => api.ctx.config.get("completion.maxPromptTokens") === 1024);
  });

  after(async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await api.ctx.config.update("completion.maxPromptTokens", undefined as unknown as number);
    await api.ctx.config.update("completion.modelPath", "");
  });

  it("runs in a workspace with two folders", () => {
    assert.deepEqual(
      vscode.workspace.workspaceFolders?.map((f) => f.name),
      ["app", "lib"],
    );
  });

  it("applies each folder's .privatecoderignore to its own files only, and names the folder in the prompt", async () => {
    const source = "export function double(value: number): number {\n  return \n}\n";
    const inLib = await show(await write("lib", "generated/client.ts", source));
    const requests = userRequests(api);
    const excluded = await complete(api, inLib, new vscode.Position(1, 9));
    assert.equal(excluded.reason, "excluded", `lib/generated is excluded by lib's ignore file (${excluded.source})`);
    assert.equal(userRequests(api), requests, "nothing reached the engine for the excluded file");

    const inApp = await show(await write("app", "generated/client.ts", source));
    let result = await complete(api, inApp, new vscode.Position(1, 9));
    if (result.reason === "modelNotReady") {
      await waitFor("the completion model to load", () => api.completion.loader.ready, 120_000);
      result = await complete(api, inApp, new vscode.Position(1, 9));
    }
    assert.ok(["engine", "empty"].includes(result.source), `app/generated is not excluded: ${result.source} (${String(result.reason)})`);
    assert.ok(userRequests(api) > requests, "the request reached the engine");
    const prompt = lastCompletionPrompt(api);
    assert.ok(prompt.includes("// Path: app/generated/client.ts"), "the path header names the folder");
  });

  it("completes a file of the second folder with that folder's name in the path header", async () => {
    const editor = await show(vscode.Uri.file(path.join(folderPath("lib"), "src/money.ts")));
    const result = await complete(api, editor, new vscode.Position(6, 2));
    assert.ok(["engine", "empty", "cache"].includes(result.source), `${result.source} (${String(result.reason)})`);
    assert.ok(lastCompletionPrompt(api).includes("// Path: lib/src/money.ts"));
  });

  it("feeds extra context from a recently viewed file of the other folder, never from an excluded one", async () => {
    // Recently viewed: the money module in lib, and an excluded lib file full of the same words.
    await show(vscode.Uri.file(path.join(folderPath("lib"), "src/money.ts")));
    const excludedMarker = "EXCLUDED_RATE_TABLE_MARKER";
    await show(await write("lib", "generated/rates.ts", `export const ${excludedMarker} = 1;\nexport function convertMoneyAmount(amount: MoneyAmount, currency: string): MoneyAmount {\n  return { cents: amount.cents, currency };\n}\n`));
    const editor = await show(await write("app", "src/checkout.ts", CHECKOUT));
    const result = await complete(api, editor, new vscode.Position(5, 4));
    assert.ok(["engine", "empty", "cache"].includes(result.source), `${result.source} (${String(result.reason)})`);
    const prompt = lastCompletionPrompt(api);
    assert.ok(prompt.includes("// Path: app/src/checkout.ts"));
    assert.ok(prompt.includes("amount.cents / 100"), "a snippet of lib/src/money.ts is in the prompt");
    assert.ok(!prompt.includes(excludedMarker), "nothing of the excluded lib/generated/rates.ts is in the prompt");
  });

  it("picks up a change to the second folder's .privatecoderignore while running", async () => {
    const ignoreFile = path.join(folderPath("lib"), ".privatecoderignore");
    const original = await readFile(ignoreFile, "utf8");
    const editor = await show(await write("lib", "drafts/idea.ts", "export function idea(): string {\n  return \n}\n"));
    try {
      const before = await complete(api, editor, new vscode.Position(1, 9));
      assert.notEqual(before.reason, "excluded", "drafts/ is not excluded yet");
      await writeFile(ignoreFile, `${original}drafts/**\n`);
      const requests = userRequests(api);
      await waitFor(
        "the new rule to apply",
        async () => (await complete(api, editor, new vscode.Position(1, 9))).reason === "excluded",
        30_000,
      );
      assert.ok(userRequests(api) <= requests + 1, "at most one request went out before the watcher saw the change");
    } finally {
      await writeFile(ignoreFile, original);
    }
  });

  it("honours a .privatecoderignore in a sub-folder of the second folder, for the files below it only", async () => {
    const inside = await show(await write("lib", "src/internal/vault.ts", "export function open(): string {\n  return \n}\n"));
    const beside = await show(await write("lib", "src/public/vault.ts", "export function open(): string {\n  return \n}\n"));
    await write("lib", "src/internal/.privatecoderignore", "vault.ts\n");
    // (Until the file watcher reports the new file, the old decision may still hold.)
    await waitFor("the sub-folder's rule to apply", async () => (await complete(api, inside, new vscode.Position(1, 9))).reason === "excluded", 30_000);
    const requests = userRequests(api);
    assert.equal((await complete(api, inside, new vscode.Position(1, 9))).reason, "excluded");
    assert.equal(userRequests(api), requests, "nothing reached the engine for the excluded file");
    const other = await complete(api, beside, new vscode.Position(1, 9));
    assert.notEqual(other.reason, "excluded", "the same name in a sibling folder is not excluded");
  });
});
