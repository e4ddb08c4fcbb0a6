// The one safety filter in front of every model call, checked from each entry point inside the real extension host:
// what the model receives ("Show What the Model Sees") carries placeholders, never the secret, and neither do the
// logs. The secret is generated at run time so no token-shaped string is committed.
import * as assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { activateExtension, allLogText, closeChatAndModels, openChatWithTinyModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function fakeGithubToken(): string {
  return "ghp_" + Array.from(randomBytes(36), (b) => ALPHABET[b % ALPHABET.length]).join("");
}

async function modelSeesText(): Promise<string> {
  await vscode.commands.executeCommand(COMMANDS.showWhatTheModelSees);
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor && editor.document.uri.scheme === "private-coder-model-sees", "Show What the Model Sees did not open its document");
  assert.equal(editor.document.isUntitled, false);
  return editor.document.getText();
}

function section(text: string, feature: string): string {
  const start = text.indexOf(`# ===== ${feature} =====`);
  assert.ok(start >= 0, `no ${feature} section`);
  const next = text.indexOf("# ===== ", start + 10);
  return text.slice(start, next < 0 ? undefined : next);
}

describe("Safety filter at every entry point (extension host)", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;
  const secret = fakeGithubToken();

  before(async () => {
    api = await activateExtension();
    await openChatWithTinyModel(api);
  });

  after(async () => {
    await closeChatAndModels(api);
  });

  it("chat: a typed secret reaches the model only as a placeholder", async () => {
    await api.chat.send(`Why does this fail? const token = "${secret}";`);
    await api.chat.idle();
    const chat = section(await modelSeesText(), "chat");
    assert.ok(chat.includes("<secret:github-token#1>"), chat.slice(0, 500));
    assert.ok(!chat.includes(secret));
    assert.ok(!JSON.stringify(api.chat.current).includes(secret), "the saved conversation holds the filtered text");
  });

  it("Explain Selection: a secret in the selection reaches the model only as a placeholder", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const file = path.join(folder.uri.fsPath, "src", "config.ts");
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `export const client = {\n  token: "${secret}",\n  retries: 3,\n};\n`);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    editor.selection = new vscode.Selection(0, 0, 3, 2);
    await vscode.commands.executeCommand(COMMANDS.explainSelection);
    await waitFor("the explanation turn", () => api.chat.current.turns.some((t) => t.attachments?.some((a) => a.kind === "explain")), 60_000);
    await api.chat.idle();
    const explain = section(await modelSeesText(), "explain");
    assert.ok(explain.includes("<secret:github-token#1>"), explain.slice(0, 500));
    assert.ok(!explain.includes(secret));
  });

  it("an excluded file (.env) cannot be explained: nothing is sent", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const envFile = path.join(folder.uri.fsPath, ".env");
    await writeFile(envFile, `GITHUB_TOKEN=${secret}\n`);
    const turnsBefore = api.chat.current.turns.length;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(envFile));
    editor.selection = new vscode.Selection(0, 0, 0, 40);
    await vscode.commands.executeCommand(COMMANDS.explainSelection);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal(api.chat.current.turns.length, turnsBefore, "no turn may be created from an excluded file");
    assert.equal((await api.safety.isExcluded(vscode.Uri.file(envFile))).excluded, true);
  });

  it("no log file contains the secret", async () => {
    const logs = await allLogText(api);
    assert.ok(logs.length > 0, "expected to find the extension's log files");
    assert.ok(!logs.includes(secret), "a redacted secret reached a log");
  });
});
