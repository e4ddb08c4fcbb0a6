// The engine driven from inside the real VS Code extension host: the child process is forked from here
// (Node in code-server, Electron-as-node on the desktop) and runs real node-llama-cpp on a synthetic model.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { activateExtension, testModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("Inference engine from the extension host", function () {
  this.timeout(180_000);
  let api: PrivateCoderApi;

  before(async () => {
    api = await activateExtension();
    await api.ctx.config.update("chat.modelPath", testModel("tiny"));
    await api.ctx.config.update("completion.modelPath", testModel("tiny"));
  });

  after(async () => {
    await api.ctx.config.update("chat.modelPath", "");
    await api.ctx.config.update("completion.modelPath", "");
  });

  it("starts the child lazily: no process until the first request", () => {
    assert.equal(api.backends.childPid, undefined);
  });

  it("maps each role to a ModelRef from the path settings, served by the local backend", () => {
    const model = api.backends.modelFor("completion");
    assert.equal(model?.source, "file");
    assert.equal(model?.path, testModel("tiny"));
    const entry = api.backends.entry("chat");
    assert.equal(entry?.backend.capabilities.location, "local");
    assert.equal(api.backends.childPid, undefined, "asking which backend serves a role starts nothing");
  });

  it("loads the model for completion and returns FIM text with metrics", async () => {
    const backend = await api.backends.backendFor("completion");
    const pid = api.backends.childPid;
    assert.ok(pid !== undefined && pid !== process.pid && isAlive(pid), "the engine runs in its own process");
    assert.equal(api.modelStatus.state.kind, "ready");
    const result = await backend.complete({ prefix: "function add(a, b) {\n", currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 8 });
    assert.equal(result.mode, "fim");
    assert.equal(typeof result.text, "string");
    assert.ok(result.metrics.promptTokens > 0 && result.metrics.evaluatedTokens > 0, JSON.stringify(result.metrics));
    assert.ok(result.metrics.generatedTokens <= 8);
  });

  it("streams a chat answer in chunks", async () => {
    const backend = await api.backends.backendFor("chat");
    const chunks: string[] = [];
    const result = await backend.chat({ messages: [{ role: "user", text: "Say hello." }], maxTokens: 12 }, { onChunk: (c) => chunks.push(c) });
    assert.ok(chunks.length > 0, "no chunk streamed");
    assert.equal(chunks.join(""), result.text);
    const status = await backend.status();
    assert.deepEqual(status.models.map((m) => [...m.roles].sort()), [["chat", "completion"]], "one model shared by both roles");
  });

  it("reports a broken model file with a typed error and stays usable", async () => {
    await api.ctx.config.update("chat.modelPath", testModel("broken-magic"));
    await waitFor("the chat model setting to apply", () => api.ctx.config.chatModelPath === testModel("broken-magic"));
    // Duck-typed: this suite is a separate bundle, so `instanceof EngineError` would compare two copies of the class.
    await assert.rejects(api.backends.ensureModel("chat"), (error: unknown) => (error as { code?: unknown }).code === "modelBadMagic");
    assert.equal(api.modelStatus.state.kind, "error");
    await api.ctx.config.update("chat.modelPath", testModel("tiny"));
    const backend = await api.backends.backendFor("completion");
    const result = await backend.complete({ prefix: "const x = ", suffix: "", maxTokens: 4 });
    assert.ok(result.metrics.evaluatedTokens > 0);
  });

  it("recovers from a killed child: EngineCrashed, then a restarted child serves the next request", async () => {
    const backend = await api.backends.backendFor("completion");
    const pid = api.backends.childPid;
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    await waitFor("the crash to be reported", () => api.modelStatus.state.kind === "crashed" || api.backends.childPid !== pid, 30_000);
    // While the engine is down, inline completion does not claim to be ready.
    if (api.modelStatus.state.kind === "crashed") assert.equal(api.completion.status.kind, "error");
    const again = await api.backends.backendFor("completion");
    const result = await again.complete({ prefix: "let y = ", suffix: "", maxTokens: 4 });
    assert.ok(result.metrics.promptTokens > 0);
    assert.notEqual(api.backends.childPid, pid);
    assert.equal(isAlive(pid), false);
    void backend;
  });

  it("Restart Engine starts a fresh child and the old one is gone", async () => {
    await api.backends.backendFor("completion");
    const before = api.backends.childPid;
    assert.ok(before);
    await vscode.commands.executeCommand(COMMANDS.restartEngine);
    // The command returns once the engine is back with its models loaded, not at the first use after it.
    assert.ok(api.backends.childPid && api.backends.childPid !== before, "a fresh child runs when Restart Engine returns");
    assert.equal(api.modelStatus.state.kind, "ready");
    assert.match(api.statusBar.text, /\$\(hubot\)/, "the one status item shows the model again, not 'restarting'");
    await waitFor("the old child to exit", () => !isAlive(before), 10_000);
    const backend = await api.backends.backendFor("completion");
    await backend.complete({ prefix: "x", suffix: "", maxTokens: 2 });
    assert.ok(api.backends.childPid && api.backends.childPid !== before);
  });
});
