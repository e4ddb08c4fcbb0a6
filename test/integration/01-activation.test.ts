import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { COMMANDS, CHAT_VIEW_ID } from "../../src/core/commandIds.ts";
import { SETTINGS, settingId, type SettingKey } from "../../src/core/settings.ts";
import { activateExtension, EXTENSION_ID, testModel, waitFor } from "./helpers.ts";

describe("Private Coder in the VS Code extension host", () => {
  it("activates and exposes its context", async () => {
    const api = await activateExtension();
    assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
    assert.equal(api.ctx.isDisposed, false);
    assert.ok(api.ctx.liveResourceCount > 0);
  });

  it("registers every contributed command", async () => {
    await activateExtension();
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(COMMANDS)) assert.ok(registered.has(id), `${id} is not registered`);
  });

  it("gives every setting its default", () => {
    const configuration = vscode.workspace.getConfiguration();
    for (const key of Object.keys(SETTINGS) as SettingKey[]) {
      const inspected = configuration.inspect(settingId(key));
      assert.ok(inspected, `${settingId(key)} is not a known setting`);
      assert.deepEqual(inspected.defaultValue, SETTINGS[key].default, settingId(key));
    }
  });

  it("reads machine-scoped settings from the Machine settings, as a remote host applies them, and keeps the model across other settings changes", async () => {
    const api = await activateExtension();
    // The runner writes engine.gpuLayers = 0 into <user-data>/Machine/settings.json (default -1).
    assert.equal(api.ctx.config.get("engine.gpuLayers"), 0, "machine-scoped settings come from the Machine settings");
    await api.ctx.config.update("chat.modelPath", testModel("tiny"));
    try {
      await waitFor("the chat model to be configured", () => api.ctx.config.chatModelPath === testModel("tiny"));
      const enabled = api.ctx.config.completionEnabled;
      await api.ctx.config.update("completion.enabled", !enabled);
      await api.ctx.config.update("completion.enabled", enabled);
      await waitFor("the toggle to settle", () => api.ctx.config.completionEnabled === enabled);
      assert.equal(api.ctx.config.chatModelPath, testModel("tiny"), "the model survives a settings change");
      assert.notEqual(api.modelStatus.state.kind, "noModel");
      assert.equal(api.backends.modelFor("chat")?.path, testModel("tiny"));
    } finally {
      await api.ctx.config.update("chat.modelPath", "");
    }
  });

  it("says once which setting value was ignored and why, and uses the default", async () => {
    const api = await activateExtension();
    const ignored: { key: string; kind: string }[] = [];
    const subscription = api.ctx.config.onDidIgnoreValue((event) => ignored.push({ key: event.key, kind: event.problem.kind }));
    const configuration = () => vscode.workspace.getConfiguration("privateCoder");
    try {
      await configuration().update("engine.threads", -5, vscode.ConfigurationTarget.Global);
      await configuration().update("engine.gpuLayers", "lots", vscode.ConfigurationTarget.Global);
      await waitFor("the settings to apply", () => configuration().get("engine.threads") === -5 && configuration().get("engine.gpuLayers") === "lots");
      assert.equal(api.ctx.config.get("engine.threads"), 0, "the default is used");
      assert.equal(api.ctx.config.get("engine.gpuLayers"), -1, "the default is used");
      api.ctx.config.get("engine.threads");
      assert.deepEqual(ignored, [
        { key: "engine.threads", kind: "outOfRange" },
        { key: "engine.gpuLayers", kind: "wrongType" },
      ], "each ignored value is reported once");
    } finally {
      subscription.dispose();
      await configuration().update("engine.threads", undefined, vscode.ConfigurationTarget.Global);
      await configuration().update("engine.gpuLayers", undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it("opens the chat view, whose webview completes the ready handshake", async () => {
    const api = await activateExtension();
    await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
    await waitFor("the chat webview to send `ready`", () => api.chatView.isReady, 60_000);
  });

  it("toggles inline completions through its command and the setting", async () => {
    const api = await activateExtension();
    const before = api.ctx.config.completionEnabled;
    await vscode.commands.executeCommand(COMMANDS.toggleInlineCompletions);
    await waitFor("the setting to flip", () => api.ctx.config.completionEnabled === !before);
    await vscode.commands.executeCommand(COMMANDS.toggleInlineCompletions);
    await waitFor("the setting to flip back", () => api.ctx.config.completionEnabled === before);
  });
});
