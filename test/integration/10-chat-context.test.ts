// The chat working on the user's code, in the real extension host with the tiny synthetic model: @-items go
// through the safety filter (an excluded file is refused and never offered), @problems carries the diagnostics,
// slash commands build their questions, Edit Selection applies as one undo step and Reject leaves the document
// byte-identical (a known answer text through the same extraction / diff / apply path, plus one real model run),
// and a question asked again on the same context is answered from the cache without an engine request.
import * as assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { activateExtension, closeChatAndModels, openChatWithTinyModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

const SOURCE = ["export function total(items: number[]): number {", "  let sum = 0;", "  for (const item of items) sum += item;", "  return sum;", "}", "", "export const answer = 42;", ""].join("\n");

describe("Chat context, slash commands, Edit Selection and the answer cache (extension host)", function () {
  this.timeout(300_000);
  let api: PrivateCoderApi;
  let folder: vscode.Uri;
  const notices: string[] = [];
  let restoreNotice: (() => void) | undefined;

  async function sourceEditor(name: string, text = SOURCE): Promise<vscode.TextEditor> {
    const file = path.join(folder.fsPath, "src", name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    return vscode.window.showTextDocument(doc);
  }

  before(async () => {
    api = await activateExtension();
    const first = vscode.workspace.workspaceFolders?.[0];
    assert.ok(first, "the test workspace has no folder");
    folder = first.uri;
    await openChatWithTinyModel(api);
    // Records what the chat tells the user, and still tells it (the notices are the outcome checked here).
    const chat = api.chat;
    const original = chat.notice.bind(chat);
    chat.notice = (level, text) => {
      notices.push(text);
      original(level, text);
    };
    restoreNotice = () => (chat.notice = original);
  });

  after(async () => {
    restoreNotice?.();
    api.chat.edits.resolve("reject");
    await closeChatAndModels(api);
  });

  it("@file of an excluded file is refused with a clear message, nothing is sent, and it is never offered", async () => {
    await writeFile(path.join(folder.fsPath, ".env"), "API_KEY=abc123\n");
    await sourceEditor("sample-context.ts");
    await api.chat.newChat();
    const requests = api.chat.engineRequests;
    notices.length = 0;
    await api.chat.send("What is in @file:.env ?");
    assert.equal(api.chat.current.turns.length, 0, "no turn may be created");
    assert.equal(api.chat.engineRequests, requests, "the engine was asked nothing");
    assert.ok(notices.some((n) => /\.env cannot be attached: it is excluded/.test(n)), notices.join(" | "));
    const offered = await api.chat.items.complete("file", "env");
    assert.ok(!offered.some((i) => i.label.endsWith(".env")), `excluded file offered: ${JSON.stringify(offered)}`);
    const sample = await api.chat.items.complete("file", "samplecontext");
    assert.equal(sample[0]?.label, "src/sample-context.ts");
  });

  it("unknown slash commands and @-items, missing and binary files get a clear message and send nothing", async () => {
    await api.chat.newChat();
    const requests = api.chat.engineRequests;
    await writeFile(path.join(folder.fsPath, "src", "blob.bin"), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]));
    for (const [text, expected] of [
      ["/frobnicate now", /\/frobnicate is not a command/],
      ["see @fiel please", /@fiel is not a context item/],
      ["read @file:src/does-not-exist-anywhere.zz", /no such file/],
      ["read @file:src/blob.bin", /binary file/],
    ] as const) {
      notices.length = 0;
      await api.chat.send(text);
      assert.ok(notices.some((n) => expected.test(n)), `${text}: ${notices.join(" | ")}`);
    }
    assert.equal(api.chat.current.turns.length, 0);
    assert.equal(api.chat.engineRequests, requests);
  });

  it("@problems carries the file's diagnostics with their lines; 5,000 diagnostics become the worst 50 and a count", async () => {
    const editor = await sourceEditor("sample-problems.ts");
    const collection = vscode.languages.createDiagnosticCollection("pc-test");
    try {
      collection.set(editor.document.uri, [
        new vscode.Diagnostic(new vscode.Range(1, 2, 1, 5), "'sum' is reassigned", vscode.DiagnosticSeverity.Warning),
        new vscode.Diagnostic(new vscode.Range(3, 2, 3, 8), "Type 'string' is not assignable to type 'number'.", vscode.DiagnosticSeverity.Error),
      ]);
      await api.chat.newChat();
      await api.chat.send("What is wrong here? @problems");
      const question = api.chat.current.turns[0];
      const problems = question?.attachments.find((a) => a.kind === "problems");
      assert.ok(problems, "no problems attachment");
      assert.match(problems.text, /^- error at line 4: Type 'string' is not assignable/m);
      assert.match(problems.text, /return sum;/);
      assert.match(problems.text, /- warning at line 2: 'sum' is reassigned/);

      collection.set(
        editor.document.uri,
        Array.from({ length: 5000 }, (_, i) => new vscode.Diagnostic(new vscode.Range(i % 7, 0, i % 7, 1), `problem ${i}`, vscode.DiagnosticSeverity.Warning)),
      );
      await api.chat.newChat();
      await api.chat.send("@problems");
      const many = api.chat.current.turns[0]?.attachments.find((a) => a.kind === "problems");
      assert.ok(many);
      assert.equal(many.text.split("\n").filter((l) => l.startsWith("- warning")).length, 50);
      assert.match(many.text, /4950 more problem\(s\) not listed/);
    } finally {
      collection.dispose();
    }
  });

  it("/fix sends the selection with its problems; /tests names the framework; /clear starts a new chat", async () => {
    const editor = await sourceEditor("sample-fix.ts");
    const collection = vscode.languages.createDiagnosticCollection("pc-test-fix");
    try {
      collection.set(editor.document.uri, [new vscode.Diagnostic(new vscode.Range(2, 0, 2, 5), "Unexpected loop", vscode.DiagnosticSeverity.Error)]);
      editor.selection = new vscode.Selection(0, 0, 5, 0);
      await api.chat.newChat();
      await api.chat.send("/fix");
      const fix = api.chat.current.turns[0];
      assert.match(fix?.text ?? "", /^\/fix: Fix the problems/);
      assert.deepEqual(fix?.attachments.map((a) => a.kind), ["selection", "problems"]);
      assert.match(fix?.attachments[1]?.text ?? "", /error at line 3: Unexpected loop/);
      await api.chat.send("/tests");
      const tests = api.chat.current.turns.filter((t) => t.role === "user").at(-1);
      assert.match(tests?.text ?? "", /^\/tests: Write unit tests for the attached code using /);
      const id = api.chat.current.id;
      await api.chat.send("/clear");
      assert.notEqual(api.chat.current.id, id);
      assert.equal(api.chat.current.turns.length, 0);
    } finally {
      collection.dispose();
    }
  });

  it("Edit Selection (known answer): the diff's Accept applies one undo step", async () => {
    const editor = await sourceEditor("sample-edit.ts");
    editor.selection = new vscode.Selection(0, 0, 4, 1);
    const answer = "Here you go:\n\n```ts\nexport function total(items: readonly number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}\n```\n\nUsage:\n```ts\ntotal([1, 2]);\n```";
    const done = api.chat.edits.start("use reduce", { answerText: answer });
    await waitFor("the edit's diff", () => api.chat.edits.pending !== undefined, 20_000);
    assert.equal(editor.document.getText(), SOURCE, "nothing changes before Accept");
    api.chat.edits.resolve("accept");
    await done;
    assert.equal(api.chat.edits.lastOutcome, "applied");
    const expected = SOURCE.replace(/^export function total[\s\S]*?\n}/, "export function total(items: readonly number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}");
    assert.equal(editor.document.getText(), expected);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand("undo");
    assert.equal(editor.document.getText(), SOURCE, "one undo restores the original");
  });

  it("Edit Selection (known answer): Reject leaves the document byte-identical; a document changed meanwhile is refused", async () => {
    const editor = await sourceEditor("sample-reject.ts");
    editor.selection = new vscode.Selection(0, 0, 4, 1);
    const answer = "```ts\nexport function total(items: number[]) {\n  return 0;\n}\n```";
    let done = api.chat.edits.start("break it", { answerText: answer });
    await waitFor("the edit's diff", () => api.chat.edits.pending !== undefined, 20_000);
    api.chat.edits.resolve("reject");
    await done;
    assert.equal(api.chat.edits.lastOutcome, "rejected");
    assert.equal(editor.document.getText(), SOURCE);
    assert.equal(editor.document.isDirty, false);

    await vscode.window.showTextDocument(editor.document);
    editor.selection = new vscode.Selection(0, 0, 4, 1);
    done = api.chat.edits.start("break it", { answerText: answer });
    await waitFor("the edit's diff", () => api.chat.edits.pending !== undefined, 20_000);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, new vscode.Position(7, 0), "// typed meanwhile\n");
    await vscode.workspace.applyEdit(edit);
    api.chat.edits.resolve("accept");
    await done;
    assert.equal(api.chat.edits.lastOutcome, "changed");
    assert.equal(editor.document.getText(), `${SOURCE}// typed meanwhile\n`, "only the user's own change is in the document");
  });

  it("Edit Selection with the real model completes, and Reject leaves the document byte-identical", async () => {
    const editor = await sourceEditor("sample-model-edit.ts");
    editor.selection = new vscode.Selection(0, 0, 4, 1);
    const requests = api.chat.engineRequests;
    api.chat.edits.lastOutcome = undefined;
    const done = api.chat.edits.start("add a doc comment");
    // Random weights write anything: the flow ends in a diff to decide, or a clear "no code" / "same code" message.
    await waitFor("the edit to reach a decision", () => api.chat.edits.pending !== undefined || api.chat.edits.lastOutcome !== undefined, 180_000);
    assert.ok(api.chat.engineRequests > requests, "the model was asked");
    if (api.chat.edits.pending) api.chat.edits.resolve("reject");
    await done;
    assert.ok(["rejected", "noCode", "unchanged"].includes(api.chat.edits.lastOutcome ?? ""), String(api.chat.edits.lastOutcome));
    assert.equal(editor.document.getText(), SOURCE);
    assert.equal(editor.document.isDirty, false);
    assert.ok(api.chat.current.turns.some((t) => t.attachments.some((a) => a.kind === "edit")), "the edit request is in the chat");
  });

  it("the second identical question on the same context is served from the cache with no engine request; Regenerate asks again", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await api.chat.newChat();
    await api.chat.send("What is a closure in JavaScript?");
    const first = api.chat.current.turns[1];
    assert.ok(first && !first.error && first.text.length > 0, first?.error);
    const requests = api.chat.engineRequests;
    await api.chat.newChat();
    await api.chat.send("what is a closure in javascript");
    const cached = api.chat.current.turns[1];
    assert.equal(api.chat.engineRequests, requests, "the engine was asked again");
    assert.equal(cached?.fromCache, true);
    assert.equal(cached?.text, first.text);
    await api.chat.regenerate();
    assert.equal(api.chat.engineRequests, requests + 1);
    assert.equal(api.chat.current.turns[1]?.fromCache, undefined);
    // Off: asked again.
    await api.ctx.config.update("chat.answerCache", false);
    try {
      await api.chat.newChat();
      await api.chat.send("What is a closure in JavaScript?");
      assert.equal(api.chat.engineRequests, requests + 2);
    } finally {
      await api.ctx.config.update("chat.answerCache", true);
    }
  });
});
