// The chat inside the real VS Code extension host with the tiny synthetic model: a round trip streams into the
// webview, Stop cancels, Explain Selection stores only filtered text, and conversations persist across a reload.
import * as assert from "node:assert/strict";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { CONVERSATION_FORMAT } from "../../src/core/chat/conversation.ts";
import { CHAT_VIEW_ID, COMMANDS } from "../../src/core/commandIds.ts";
import { ConversationStore } from "../../src/extension/chat/conversationStore.ts";
import { activateExtension, closeChatAndModels, openChatWithTinyModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import type { HostToWebview } from "../../src/core/chatProtocol.ts";

const FAKE_TOKEN = "ghp_Zq8Lw2Rt6Yx4Vb9Nm3Kp7Hs5Dj1Fg0Ac2Ee4";

describe("Chat and Explain Selection in the extension host", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;

  before(async () => {
    api = await activateExtension();
    await openChatWithTinyModel(api);
  });

  after(async () => {
    await closeChatAndModels(api);
  });

  it("streams an answer from the tiny model into the webview and saves the conversation", async () => {
    const deliveredBefore = api.chatView.delivered.get("chunk") ?? 0;
    await api.chat.send("Say hello in one sentence.");
    const turns = api.chat.current.turns;
    assert.equal(turns.length, 2);
    assert.equal(turns[0].role, "user");
    assert.equal(turns[1].role, "assistant");
    assert.equal(turns[1].error, undefined, turns[1].error);
    assert.ok(turns[1].text.length > 0, "the answer is empty");
    await waitFor("the webview to receive the chunks", () => (api.chatView.delivered.get("chunk") ?? 0) > deliveredBefore, 10_000);
    const saved = await api.chat.store.load(api.chat.current.id);
    assert.ok(saved, "the conversation was not saved");
    assert.equal(saved.turns[1].text, turns[1].text);
  });

  it("Stop cancels the generation and keeps the partial answer", async () => {
    let finished = false;
    const turnsBefore = api.chat.current.turns.length;
    const done = api.chat.send("Write a very long story about a compiler.").finally(() => (finished = true));
    // The tiny model is fast: stop as soon as the answer starts (checked every turn of the event loop).
    const started = Date.now();
    // The answer's turn exists from the moment it starts (before the model is even asked): the question, then it.
    const answerStarted = () => api.chat.current.turns.length >= turnsBefore + 2;
    while (!answerStarted() && !finished) {
      if (Date.now() - started > 120_000) assert.fail("the answer did not start streaming");
      await new Promise((resolve) => setImmediate(resolve));
    }
    await api.chat.handle({ type: "stop" });
    await done;
    const last = api.chat.current.turns.at(-1);
    assert.equal(last?.stopReason, "abort");
    assert.equal(api.chat.isGenerating, false);
  });

  it("a question is saved before its answer: a window reloaded mid-answer reopens this conversation", async () => {
    await api.chat.newChat();
    const answered = api.chat.send("Save me before you answer.");
    await waitFor("the answer to start", () => api.chat.current.turns.some((t) => t.role === "assistant"), 60_000);
    const onDisk = await api.chat.store.load(api.chat.current.id);
    assert.equal(onDisk?.turns[0]?.text, "Save me before you answer.", "the question is on disk while the answer streams");
    assert.equal(api.ctx.extensionContext.globalState.get("privateCoder.chat.lastConversation"), api.chat.current.id);
    await answered;
  });

  it("a burst of send messages in one tick gets one answer, the rest are told to wait, and the engine ends idle", async () => {
    await api.chat.newChat();
    await Promise.all([1, 2, 3, 4, 5].map((i) => api.chat.handle({ type: "send", text: `Burst message ${i}` })));
    await api.chat.idle();
    const turns = api.chat.current.turns;
    assert.deepEqual(
      turns.map((t) => t.role),
      ["user", "assistant"],
      `one question and one answer, not ${turns.length} turns`,
    );
    assert.equal(turns[0].text, "Burst message 1");
    const status = await (await api.backends.backendFor("chat")).status();
    assert.equal(status.busy.chat, false, "no answer is still being generated in the engine");
    assert.equal(status.activeRequests, 0);
  });

  it("a conversation with a turn of over 2,000,000 characters opens cut in the view, its full text opens in an editor, and a view that rejects a conversation switches nothing", async () => {
    await api.chat.newChat();
    const before = api.chat.current.id;
    const now = Date.now();
    const big = {
      format: CONVERSATION_FORMAT as typeof CONVERSATION_FORMAT,
      id: "cbigturn-0001",
      title: "A long paste",
      createdAt: now,
      updatedAt: now,
      turns: [
        { id: "tbig-0001", role: "user" as const, text: "y".repeat(2_000_001), attachments: [], createdAt: now },
        { id: "tbig-0002", role: "assistant" as const, text: "A long paste indeed.", attachments: [], createdAt: now },
      ],
    };
    await api.chat.store.save(big);
    const delivered = api.chatView.delivered.get("conversation") ?? 0;
    assert.equal(await api.chat.open(big.id), true);
    await waitFor("the view to receive the conversation", () => (api.chatView.delivered.get("conversation") ?? 0) > delivered, 10_000);
    await api.chat.handle({ type: "showTurn", turnId: "tbig-0001" });
    await waitFor("the full text in an editor", () => vscode.window.activeTextEditor?.document.getText().length === 2_000_001, 20_000);
    // Had the view refused it, the host goes back to the conversation shown before: both show the same one.
    await api.chat.handle({ type: "conversationRejected" });
    assert.equal(api.chat.current.id, before);
    await api.chat.store.delete(big.id);
  });

  it("Explain Selection sends only filtered text: a fake GitHub token never reaches the saved conversation", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, "the integration workspace has a folder");
    const file = path.join(folder.uri.fsPath, "src", "explain-me.ts");
    await writeFile(file, `// config\nexport function connect() {\n  const token = "${FAKE_TOKEN}";\n  return fetch("https://api.example.com", { headers: { authorization: token } });\n}\n`);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    editor.selection = new vscode.Selection(1, 0, 4, 1);
    const conversationBefore = api.chat.current.id;
    const beforeHadTurns = api.chat.current.turns.length > 0;
    await vscode.commands.executeCommand(COMMANDS.explainSelection);
    await api.chat.idle();
    const turns = api.chat.current.turns;
    // Each Explain starts its own conversation (an empty one on screen is used as it is).
    if (beforeHadTurns) assert.notEqual(api.chat.current.id, conversationBefore, "each Explain starts its own conversation");
    assert.equal(turns.length, 2, "a user turn and an answer");
    const turnsBefore = 0;
    const question = turns[turnsBefore];
    assert.equal(question.attachments[0]?.kind, "explain");
    assert.match(question.attachments[0].text, /<secret:github-token#1>/);
    assert.equal(question.attachments[0].redactions, 1);
    assert.ok(!question.attachments[0].text.includes(FAKE_TOKEN));
    assert.ok(turns[turnsBefore + 1].text.length > 0 || turns[turnsBefore + 1].stopReason !== undefined, "no explanation streamed");
    const onDisk = await readFile(path.join(api.chat.store.folder, `${api.chat.current.id}.json`), "utf8");
    assert.ok(onDisk.includes("<secret:github-token#1>"));
    assert.ok(!onDisk.includes(FAKE_TOKEN), "the token reached the saved conversation");
  });

  it("Explain Selection without a selection explains the enclosing block", async () => {
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    editor.selection = new vscode.Selection(3, 4, 3, 4);
    const previous = api.chat.current.id;
    await vscode.commands.executeCommand(COMMANDS.explainSelection);
    await api.chat.idle();
    assert.notEqual(api.chat.current.id, previous, "a second Explain starts another conversation");
    const question = api.chat.current.turns.at(-2);
    assert.equal(question?.attachments[0]?.label, "src/explain-me.ts:2-5");
    // The label, the attachment and the user turn name the same range; the conversation is titled by it.
    assert.ok(question?.text.includes("src/explain-me.ts:2-5"), question?.text);
    assert.ok(api.chat.current.title.includes("src/explain-me.ts:2-5"), api.chat.current.title);
  });

  it("an attached selection chip is filtered: the chip counts the redaction and the saved turn holds the placeholder", async () => {
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    editor.selection = new vscode.Selection(2, 0, 2, 60);
    await waitFor("the selection chip to show the redaction", () => api.chat.editorContext.chips().some((c) => c.kind === "selection" && c.redactions === 1), 10_000);
    api.chat.editorContext.setAttached("selection", true);
    try {
      await api.chat.send(`What is this? Also my own token ${FAKE_TOKEN}`);
    } finally {
      api.chat.editorContext.setAttached("selection", false);
    }
    const question = api.chat.current.turns.at(-2);
    assert.equal(question?.attachments[0]?.kind, "selection");
    assert.equal(question.attachments[0].redactions, 1);
    assert.ok(!question.attachments[0].text.includes(FAKE_TOKEN));
    assert.ok(!question.text.includes(FAKE_TOKEN), "the typed message is filtered too");
    const onDisk = await readFile(path.join(api.chat.store.folder, `${api.chat.current.id}.json`), "utf8");
    assert.ok(!onDisk.includes(FAKE_TOKEN));
  });

  it("a failed save says so, and a later save that works replaces the notice (no stale error)", async () => {
    await api.chat.newChat();
    const id = api.chat.current.id;
    const file = api.chat.store.pathOf(id);
    // A folder with a file in it where the conversation's file goes: the atomic rename fails, even for root.
    await mkdir(path.join(file, "blocker"), { recursive: true });
    const notices: { level: string; text: string }[] = [];
    const view = api.chat.attach({
      post: (message: HostToWebview) => {
        if (message.type === "notice") notices.push({ level: message.level, text: message.text });
        view?.post(message);
      },
    });
    try {
      await api.chat.send("Keep me even if the disk says no.");
      assert.ok(notices.some((n) => n.level === "error" && /could not be saved/.test(n.text)), `no save error: ${JSON.stringify(notices)}`);
      const errorsBefore = notices.length;
      await rm(file, { recursive: true, force: true });
      await api.chat.rename(id, "Saved after all");
      const after = notices.slice(errorsBefore);
      assert.ok(after.some((n) => n.level === "info" && /saved again/.test(n.text)), `the error notice was not replaced: ${JSON.stringify(notices)}`);
      assert.ok((await stat(file)).isFile(), "the conversation is on disk now");
      assert.equal((await api.chat.store.load(id))?.turns[0]?.text, "Keep me even if the disk says no.");
    } finally {
      api.chat.attach(view);
      // Only the blocking folder goes (when the test failed before removing it); the saved conversation stays.
      if ((await stat(file).catch(() => undefined))?.isDirectory()) await rm(file, { recursive: true, force: true });
    }
  });

  it("a damaged conversation file is listed as damaged in Conversations…, and choosing it opens the file as text", async () => {
    const id = "damaged-by-test";
    const file = api.chat.store.pathOf(id);
    await writeFile(file, "{ this is not a conversation");
    try {
      const listed = (await api.chat.store.list()).find((c) => c.id === id);
      assert.equal(listed?.damaged, true, "listed as damaged, not silently missing");
      const shown = api.chat.picker.show();
      // The newest file comes first in the pick: accept it as a user would press Enter.
      await new Promise((r) => setTimeout(r, 1000));
      await vscode.commands.executeCommand("workbench.action.acceptSelectedQuickOpenItem");
      await waitFor("the damaged file to open as text", () => vscode.window.activeTextEditor?.document.uri.fsPath === file, 20_000);
      await shown;
      assert.equal(vscode.window.activeTextEditor?.document.getText(), "{ this is not a conversation");
      await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    } finally {
      await rm(file, { force: true });
    }
  });

  it("conversations persist: listed, reloaded from disk, and re-sent to a reloaded view", async () => {
    const id = api.chat.current.id;
    const turns = JSON.stringify(api.chat.current.turns);
    const fresh = new ConversationStore(api.chat.store.folder);
    assert.ok((await fresh.list()).some((c) => c.id === id), "the conversation is listed");
    await api.chat.newChat();
    assert.notEqual(api.chat.current.id, id);
    assert.equal(await api.chat.open(id), true);
    assert.equal(JSON.stringify(api.chat.current.turns), turns);
    // Reload the view: close the side bar (the webview is destroyed), open it again, and it gets the conversation back.
    const before = api.chatView.delivered.get("conversation") ?? 0;
    await vscode.commands.executeCommand("workbench.action.closeSidebar");
    await waitFor("the webview to go away", () => !api.chatView.isReady, 20_000);
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    await waitFor("the recreated webview to be ready", () => api.chatView.isReady, 60_000);
    await waitFor("the conversation to be re-sent", () => (api.chatView.delivered.get("conversation") ?? 0) > before, 20_000);
    await api.chat.rename(id, "Renamed in test");
    assert.equal((await fresh.load(id))?.title, "Renamed in test");
    await api.chat.delete(id);
    assert.equal(await fresh.load(id), undefined);
  });
});
