// The chat working on the user's code, in the real extension host with the tiny synthetic model: @-items go
// through the safety filter (an excluded file is refused and never offered), @problems carries the diagnostics,
// slash commands build their questions, Edit Selection applies as one undo step and Reject leaves the document
// byte-identical (a known answer text through the same extraction / diff / apply path, plus one real model run),
// and a question asked again on the same context is answered from the cache without an engine request.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { activateExtension, closeChatAndModels, openChatWithTinyModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import type { StoredAttachment, StoredAttachmentKind, StoredTurn } from "../../src/core/chat/conversation.ts";

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

  /** In a new chat, sends `text` until its @-item is attached (an item not ready yet is refused and sends nothing). */
  async function sendUntilAttached(text: string, kind: StoredAttachmentKind, timeoutMs: number): Promise<StoredAttachment> {
    await api.chat.newChat();
    await waitFor(
      `@${kind} to be attached`,
      async () => {
        await api.chat.send(text);
        return api.chat.current.turns.length > 0;
      },
      timeoutMs,
    );
    const item = api.chat.current.turns[0]?.attachments.find((a) => a.kind === kind);
    assert.ok(item, `no @${kind} item; notices: ${notices.join(" | ")}`);
    return item;
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
    const answered: { metrics?: { speculative?: { drafting: boolean } } }[] = [];
    const listening = api.chat.onDidAnswer((answer) => answered.push(answer));
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
    listening.dispose();
    // The engine was told it is an edit: with chat.speculativeDecoding at its default (auto) the answer reports
    // whether it drafted from the selection (which way the gate chose depends on what it has measured).
    assert.equal(answered.length, 1);
    assert.equal(typeof answered[0].metrics?.speculative?.drafting, "boolean", JSON.stringify(answered[0].metrics));
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

  it("a conversation longer than the context window: the model summarises the oldest turns in the background and the next request sends the summary in their place; off, they are only left out", async () => {
    const question = (n: number) => `Question ${n}: ${"How does this parser handle nested brackets and escaped quotes inside strings? ".repeat(12)}`;
    /** Sends long questions until the model has written a summary (or `max` questions went by). */
    async function chatUntilSummary(max: number): Promise<StoredTurn | undefined> {
      for (let i = 1; i <= max; i++) {
        await api.chat.send(question(i));
        const last = api.chat.current.turns.at(-1);
        assert.ok(last && !last.error, last?.error);
        await api.chat.summarizer.idle();
        const summary = api.chat.current.turns.find((t) => t.summaryOf !== undefined);
        if (summary) return summary;
      }
      return undefined;
    }
    await api.ctx.config.update("engine.contextSize", 1024);
    try {
      await api.chat.newChat();
      notices.length = 0;
      const written = api.chat.summarizer.written;
      const summary = await chatUntilSummary(6);
      assert.ok(summary, `no summary was written; notices: ${notices.join(" | ")}`);
      assert.equal(api.chat.summarizer.written, written + 1);
      const turns = api.chat.current.turns;
      const at = turns.indexOf(summary);
      assert.equal(summary.summaryOf, at, "the summary stands for every turn before it");
      assert.ok(summary.text.trim().length > 0);
      // The notice follows the save of the summary.
      await waitFor("the chat to say the messages were summarised", () => notices.some((n) => n.includes("summarised")), 10_000);
      assert.match(api.safety.describeLastPrompts(), /summary of earlier messages/, "Show What the Model Sees has the summary request");

      // The next question: the summary is in the system prompt, the turns it stands for are not sent.
      await api.chat.send("And what about single quotes?");
      const sent = api.safety.describeLastPrompts();
      assert.match(sent, /Summary of it:/);
      assert.ok(!sent.includes(question(1).slice(0, 60)), "the first question itself is no longer sent");
      assert.equal(api.chat.current.turns.at(-1)?.error, undefined);

      // Off: the oldest turns are only left out, and the chat says so.
      await api.ctx.config.update("chat.summarizeHistory", false);
      await waitFor("the setting to apply", () => !api.ctx.config.get("chat.summarizeHistory"));
      await api.chat.newChat();
      notices.length = 0;
      assert.equal(await chatUntilSummary(3), undefined);
      assert.equal(api.chat.summarizer.active, false);
      assert.ok(notices.some((n) => n.includes("Start a new chat")), notices.join(" | "));
    } finally {
      await api.ctx.config.update("chat.summarizeHistory", undefined as never);
      await api.ctx.config.update("engine.contextSize", undefined as never);
    }
  });

  it("@symbol carries the function the document symbol provider finds", async () => {
    const editor = await sourceEditor("sample-symbol.ts");
    await waitFor(
      "TypeScript's symbol provider to answer",
      async () => ((await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>("vscode.executeDocumentSymbolProvider", editor.document.uri)) ?? []).some((s) => s.name === "total"),
      120_000,
    );
    await api.chat.newChat();
    await api.chat.send("@symbol:total What does it return?");
    const item = api.chat.current.turns[0]?.attachments.find((a) => a.kind === "symbol");
    assert.ok(item, `no @symbol item; notices: ${notices.join(" | ")}`);
    assert.match(item.text, /for \(const item of items\) sum \+= item;/);
    assert.ok(!item.text.includes("answer = 42"), "only the symbol, not the whole file");
  });

  it("@changes carries the repository's uncommitted diff, without the sections of excluded files", async () => {
    const repo = path.join(folder.fsPath, "changes-repo");
    await mkdir(repo, { recursive: true });
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" });
    git("init", "-q");
    git("config", "user.email", "test@example.invalid");
    git("config", "user.name", "Test");
    await writeFile(path.join(repo, "rate.ts"), "export const rate = 1;\n");
    await writeFile(path.join(repo, ".env"), "TOKEN=first\n");
    git("add", "-A");
    git("commit", "-qm", "start");
    await writeFile(path.join(repo, "rate.ts"), "export const rate = 2; // changed-in-working-tree\n");
    await writeFile(path.join(repo, ".env"), "TOKEN=second-never-sent\n");
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(repo, "rate.ts"))));
    await vscode.commands.executeCommand("git.openRepository", repo);
    // Git reads the repository in the background: ask until it has the change (a "no repository" answer sends nothing).
    const item = await sendUntilAttached("@changes What changed?", "changes", 60_000);
    assert.match(item.text, /\+export const rate = 2; \/\/ changed-in-working-tree/);
    assert.match(item.text, /-export const rate = 1;/);
    assert.ok(!item.text.includes("second-never-sent"), "the excluded .env never reaches the model");
    assert.match(item.text, /1 file\(s\) excluded/);
  });

  it("@terminal carries the last command's output of the active terminal (shell integration)", async () => {
    const terminal = vscode.window.createTerminal({ name: "Private Coder test", shellPath: "/bin/bash" });
    try {
      terminal.show();
      await waitFor("the terminal's shell integration", () => terminal.shellIntegration !== undefined, 60_000);
      const ended = new Promise<void>((resolve) => {
        const subscription = vscode.window.onDidEndTerminalShellExecution((event) => {
          if (event.terminal !== terminal) return;
          subscription.dispose();
          resolve();
        });
      });
      // A command that writes after a moment, as real commands do (VS Code gives an extension only what is written
      // after the start of the command reached it).
      terminal.shellIntegration!.executeCommand("sleep 1; echo private-coder-terminal-$((6 * 7))");
      await ended;
      const item = await sendUntilAttached("@terminal Why did this print?", "terminal", 20_000);
      assert.match(item.text, /private-coder-terminal-42/);
      assert.ok(!item.text.includes(String.fromCharCode(27)), "no escape sequences reach the model");
    } finally {
      terminal.dispose();
    }
  });

  it("Stop while the edit is being written: the document is untouched and no diff is offered", async () => {
    const editor = await sourceEditor("sample-stop.ts");
    editor.selection = new vscode.Selection(0, 0, 4, 1);
    await api.chat.newChat();
    const edit = api.chat.editSelection("Rewrite it with reduce and explain every line in detail.");
    await waitFor("the edit's answer to start", () => api.chat.isGenerating && api.chat.current.turns.at(-1)?.role === "assistant", 60_000);
    api.chat.stop();
    await edit;
    assert.equal(api.chat.edits.lastOutcome, "stopped");
    assert.equal(api.chat.edits.pending, undefined, "no diff waits for a decision");
    assert.equal(editor.document.getText(), SOURCE);
    assert.equal(editor.document.isDirty, false);
  });

  it("the light bulb: a diagnostic offers Fix with Private Coder (it sends /fix with that problem); a selection offers Edit, Explain, tests and doc", async () => {
    const editor = await sourceEditor("sample-bulb.ts");
    const collection = vscode.languages.createDiagnosticCollection("pc-test-bulb");
    try {
      const problem = new vscode.Diagnostic(new vscode.Range(2, 2, 2, 5), "Loop variable is never used", vscode.DiagnosticSeverity.Warning);
      collection.set(editor.document.uri, [problem]);
      const atProblem = (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, new vscode.Range(2, 3, 2, 3))) ?? [];
      const fix = atProblem.find((a) => a.title === "Fix with Private Coder");
      assert.ok(fix?.command, `no Fix action among ${atProblem.map((a) => a.title).join(", ")}`);
      assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
      editor.selection = new vscode.Selection(0, 0, 4, 1);
      await api.chat.newChat();
      await vscode.commands.executeCommand(fix.command.command, ...((fix.command.arguments ?? []) as unknown[]));
      await api.chat.idle();
      const question = api.chat.current.turns[0];
      assert.match(question?.text ?? "", /^\/fix: /);
      assert.match(question?.attachments.find((a) => a.kind === "problems")?.text ?? "", /warning at line 3: Loop variable is never used/);
      const onSelection = (await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, new vscode.Range(0, 0, 4, 1))) ?? [];
      for (const title of ["Edit with Private Coder…", "Explain with Private Coder", "Write tests with Private Coder", "Add a doc comment with Private Coder"]) {
        assert.ok(onSelection.some((a) => a.title === title), `${title} missing among ${onSelection.map((a) => a.title).join(", ")}`);
      }
    } finally {
      collection.dispose();
    }
  });
});
