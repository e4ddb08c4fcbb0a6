// The remote backend inside the real VS Code extension host, against real llama-server processes (built from the
// bundled llama.cpp; the runner passes the binary in PRIVATE_CODER_LLAMA_SERVER) serving the tiny synthetic model on
// 127.0.0.1 with an API key and 2 slots. Answers are fixed-length (`ignore_eos` with a token cap) and the tests
// observe the servers' own counters (`/metrics`, `/slots`) and the extension's state, never generated text.
import * as assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import { buildItems } from "../../src/extension/models/modelPicker.ts";
import type { UsageRecord } from "../../src/core/usage/index.ts";
import { LLAMA_SERVER_ENV, LlamaServer } from "../fixtures/llamaServer.ts";
import { activateExtension, allLogText, testModel, waitFor } from "./helpers.ts";

const SOURCE = "export function total(items: number[]): number {\n  let sum = 0;\n  for (const item of items) {\n    \n  }\n  return sum;\n}\n";
const CAP = 12;

/** Tokens the server generated so far (its Prometheus counter). */
async function predicted(server: LlamaServer): Promise<number> {
  const text = String(await server.get("/metrics"));
  const match = /^llamacpp:tokens_predicted_total\s+(\d+)/m.exec(text);
  assert.ok(match, "llama-server reports tokens_predicted_total");
  return Number(match[1]);
}

async function openSource(): Promise<vscode.TextEditor> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root);
  const file = path.join(root, "remote-test", "sum.ts");
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, SOURCE);
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(file)), { preview: false });
}

describe("Remote backend: a real llama-server (extension host)", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;
  let a: LlamaServer;
  let b: LlamaServer;

  /** Fixed-length answers from the random weights, on whichever backend instance the registry uses now. */
  function fixedLength(cap = CAP): void {
    api.backends.remote.backend().extras = { ignoreEos: true, maxTokensCap: cap };
  }

  async function useRemote(roles: { completion?: "local" | "remote"; chat?: "local" | "remote" }, endpoints: string[]): Promise<void> {
    await api.ctx.config.update("remote.endpoints", endpoints);
    if (roles.completion) await api.ctx.config.update("completion.backend", roles.completion);
    if (roles.chat) await api.ctx.config.update("chat.backend", roles.chat);
    await waitFor("the settings to apply", () => (!roles.completion || api.backends.location("completion") === roles.completion) && (!roles.chat || api.backends.location("chat") === roles.chat));
  }

  async function chatOnce(text: string) {
    await api.chat.send(text);
    const last = api.chat.current.turns.at(-1);
    assert.ok(last && last.role === "assistant");
    return last;
  }

  before(async () => {
    const binary = process.env[LLAMA_SERVER_ENV];
    assert.ok(binary, `${LLAMA_SERVER_ENV} was not set by the runner`);
    api = await activateExtension();
    a = new LlamaServer({ binary, model: testModel("tiny"), parallel: 2, apiKey: "key-a-7f3e" });
    b = new LlamaServer({ binary, model: testModel("tiny"), parallel: 2, apiKey: "key-b-91c2" });
    await Promise.all([a.start(), b.start()]);
    await api.backends.remote.setApiKey(a.url, a.apiKey);
    await api.backends.remote.setApiKey(b.url, b.apiKey);
    await api.ctx.config.update("completion.enabled", true);
    await vscode.commands.executeCommand("privateCoder.chat.focus");
    await waitFor("the chat webview to be ready", () => api.chatView.isReady, 60_000);
  });

  after(async () => {
    api.chat.stop();
    await api.chat.idle();
    for (const key of ["remote.endpoints", "completion.backend", "chat.backend", "chat.modelPath", "completion.modelPath"] as const) {
      await api.ctx.config.update(key, undefined as never);
    }
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("inline completion streams from the server (llama-server's /infill)", async () => {
    await useRemote({ completion: "remote" }, [a.url]);
    fixedLength();
    const editor = await openSource();
    const before = await predicted(a);
    const tokens = new vscode.CancellationTokenSource();
    const first = await api.completion.provider.complete(editor.document, new vscode.Position(3, 4), true, tokens.token);
    if (first.reason === "modelNotReady") await waitFor("the remote completion model to load", () => api.completion.loader.ready, 60_000);
    const result = await api.completion.provider.complete(editor.document, new vscode.Position(3, 4), true, tokens.token);
    assert.ok(["engine", "empty"].includes(result.source), `${result.source} (${String(result.reason)})`);
    assert.equal(api.backends.location("completion"), "remote");
    assert.equal((await api.backends.backendFor("completion")).capabilities.location, "remote");
    assert.ok((await predicted(a)) - before >= CAP, "the server generated the suggestion");
  });

  it("chat streams from the server into the webview", async () => {
    await useRemote({ chat: "remote" }, [a.url]);
    fixedLength();
    await api.chat.newChat();
    const delivered = api.chatView.delivered.get("chunk") ?? 0;
    const before = await predicted(a);
    const records: UsageRecord[] = [];
    const subscription = api.usage.onDidRecord((r) => records.push(r));
    const answer = await chatOnce("Say hello.");
    assert.equal(answer.error, undefined, answer.error);
    assert.equal(answer.stopReason, "maxTokens");
    assert.equal((await predicted(a)) - before, CAP, "exactly the capped answer was generated");
    await waitFor("the usage record of the answer", () => records.some((r) => r.feature === "chat"), 10_000);
    subscription.dispose();
    const record = records.find((r) => r.feature === "chat")!;
    // llama-server reports its own counts (timings): the usage log has counts, not estimates.
    assert.equal(record.backend, "remote");
    assert.equal(record.generatedTokens, CAP);
    assert.ok((record.promptTokens ?? 0) > 0);
    assert.equal(record.tokensEstimated, undefined);
    await waitFor("chunks to reach the webview", () => (api.chatView.delivered.get("chunk") ?? 0) > delivered, 10_000);
  });

  it("Stop mid-stream aborts the request and the server frees its slot", async () => {
    fixedLength(1500);
    const before = await predicted(a);
    const turns = api.chat.current.turns.length;
    let finished = false;
    const done = api.chat.send("Write a long story.").finally(() => (finished = true));
    const started = Date.now();
    while (!(api.chat.current.turns.at(-1)?.role === "assistant" && api.chat.current.turns.length >= turns + 2 && (api.chat.current.turns.at(-1)?.text.length ?? 0) > 0) && !finished) {
      if (Date.now() - started > 60_000) assert.fail("the answer did not start");
      await new Promise((r) => setImmediate(r));
    }
    await api.chat.handle({ type: "stop" });
    await done;
    assert.equal(api.chat.current.turns.at(-1)?.stopReason, "abort");
    await waitFor("the server to free the slot", async () => (await a.busySlots()) === 0, 10_000);
    assert.ok((await predicted(a)) - before < 1500, "the server stopped generating before the cap");
  });

  it("a wrong API key gives a clear 401 message, and the key is never logged", async () => {
    const wrong = "wrong-key-5d1e9a77";
    await api.backends.remote.setApiKey(a.url, wrong);
    fixedLength();
    try {
      const answer = await chatOnce("Hello?");
      assert.ok(answer.error, "the answer failed");
      assert.match(answer.error, /API key/);
      assert.match(answer.error, /401/);
      assert.ok(!answer.error.includes(wrong));
    } finally {
      await api.backends.remote.setApiKey(a.url, a.apiKey);
    }
    const logs = await allLogText(api);
    assert.match(logs, /401/, "the failure is in the log");
    for (const key of [wrong, a.apiKey, b.apiKey]) assert.ok(!logs.includes(key), "no API key in any log");
  });

  it("the server killed mid-stream: a typed, worded error; the next request works once it is back", async () => {
    fixedLength(1500);
    const turns = api.chat.current.turns.length;
    let finished = false;
    const done = api.chat.send("Keep talking.").finally(() => (finished = true));
    const started = Date.now();
    while (!((api.chat.current.turns.length >= turns + 2 && (api.chat.current.turns.at(-1)?.text.length ?? 0) > 0) || finished)) {
      if (Date.now() - started > 60_000) assert.fail("the answer did not start");
      await new Promise((r) => setImmediate(r));
    }
    await a.stop();
    await done;
    const broken = api.chat.current.turns.at(-1);
    assert.ok(broken?.error, "the answer reports an error");
    assert.match(broken.error, /connection|reached/i);
    await a.start();
    fixedLength();
    const answer = await chatOnce("Are you back?");
    assert.equal(answer.error, undefined, answer.error);
    assert.equal(answer.stopReason, "maxTokens");
  });

  it("two endpoints, one stopped: chat fails over to the other", async () => {
    await useRemote({ chat: "remote" }, [a.url, b.url]);
    fixedLength();
    await a.stop();
    const before = await predicted(b);
    for (let i = 0; i < 3; i++) {
      const answer = await chatOnce(`Question ${i}`);
      assert.equal(answer.error, undefined, answer.error);
    }
    assert.equal((await predicted(b)) - before, 3 * CAP, "every answer came from the live endpoint");
    await a.start();
  });

  it("remote completion and local chat at the same time", async () => {
    await api.ctx.config.update("chat.modelPath", testModel("tiny"));
    await useRemote({ completion: "remote", chat: "local" }, [a.url]);
    fixedLength();
    const editor = await openSource();
    const before = await predicted(a);
    const tokens = new vscode.CancellationTokenSource();
    const [answer, completion] = await Promise.all([
      chatOnce("Local question"),
      (async () => {
        let result = await api.completion.provider.complete(editor.document, new vscode.Position(3, 4), true, tokens.token);
        if (result.reason === "modelNotReady") {
          await waitFor("the remote completion model to load", () => api.completion.loader.ready, 60_000);
          result = await api.completion.provider.complete(editor.document, new vscode.Position(3, 4), true, tokens.token);
        }
        return result;
      })(),
    ]);
    assert.equal(answer.error, undefined, answer.error);
    assert.ok(["engine", "empty"].includes(completion.source), `${completion.source} (${String(completion.reason)})`);
    assert.equal(api.backends.location("chat"), "local");
    assert.equal((await api.backends.backendFor("chat")).capabilities.location, "local");
    assert.ok(api.backends.childPid !== undefined, "the local engine runs the chat");
    assert.ok((await predicted(a)) > before, "the completion came from the server");
  });

  it("Select Model lists each server's models next to the local ones, says why a server gave none; a pick sets the roles remote, a local pick brings one back", async () => {
    await useRemote({ completion: "local", chat: "local" }, [a.url, b.url]);
    const wrong = "wrong-key-0c4b2e19";
    await api.backends.remote.setApiKey(b.url, wrong);
    try {
      const listings = await api.models.remoteModels();
      const fromA = listings.find((l) => l.url === a.url);
      const fromB = listings.find((l) => l.url === b.url);
      assert.ok(fromA && "models" in fromA && fromA.models.length > 0, "server A lists its model");
      assert.ok(fromB && "error" in fromB, "server B (wrong key) gives an error, not an empty list");
      const ref = fromA.models[0].ref;
      assert.equal(ref.source, "remote");
      assert.equal(ref.endpoint, a.url);

      const machine = await api.models.machine();
      const rows = (listed: typeof listings) => buildItems(api.models, [], machine, listed);
      const row = rows(listings).find((item) => item.action === "remote" && item.ref.remoteModel === ref.remoteModel && item.ref.endpoint === a.url);
      assert.ok(row, "the picker has a row for the server's model");
      assert.ok(row.description?.includes(fromA.origin), row.description);
      assert.match(row.description ?? "", /context \d+/, "the server's context size is shown");
      const failed = rows(listings).find((item) => item.label.includes(fromB.origin));
      assert.ok(failed, "the failing server has a row");
      assert.match(failed.description ?? "", /API key/, failed.description);
      assert.ok(!(failed.description ?? "").includes(wrong), "the key is never shown");

      await api.models.useRemote(ref, "both");
      await waitFor("both roles to run remotely", () => api.backends.location("completion") === "remote" && api.backends.location("chat") === "remote");
      assert.equal(api.ctx.config.get("remote.chatModel"), ref.remoteModel);
      assert.equal(api.ctx.config.get("remote.completionModel"), ref.remoteModel);
      const marked = rows(listings).find((item) => item.action === "remote" && item.ref.endpoint === a.url);
      assert.match(marked?.description ?? "", /in use for completion \+ chat/);

      await api.models.use(testModel("tiny"), "chat");
      await waitFor("chat to come back to this machine", () => api.backends.location("chat") === "local");
      assert.equal(api.backends.location("completion"), "remote", "completion stays on the server");
      assert.equal(api.ctx.config.get("chat.modelPath"), testModel("tiny"));
    } finally {
      await api.backends.remote.setApiKey(b.url, b.apiKey);
    }
  });
});
