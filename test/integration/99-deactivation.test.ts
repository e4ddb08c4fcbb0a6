import * as assert from "node:assert/strict";
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../src/core/commandIds.ts";
import { activateExtension, EXTENSION_ID, testModel } from "./helpers.ts";

// Runs last: it tears the extension down inside this extension host.
describe("Deactivation", () => {
  it("disposes every resource (commands, views, status bar, log) and stops the engine child", async () => {
    const api = await activateExtension();
    await api.ctx.config.update("completion.modelPath", testModel("tiny"));
    await api.backends.backendFor("completion");
    const childPid = api.backends.childPid;
    assert.ok(childPid, "the engine child should be running before deactivation");
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    // The module VS Code loaded is the one in Node's module cache: call its real deactivate().
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const main = require(path.join(extension.extensionPath, "dist/extension.cjs")) as { deactivate(): Promise<void> };
    await main.deactivate();
    assert.equal(api.ctx.isDisposed, true);
    assert.equal(api.ctx.liveResourceCount, 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of Object.values(COMMANDS)) assert.ok(!registered.has(id), `${id} is still registered after deactivate()`);
    assert.throws(() => process.kill(childPid, 0), "the engine child must not outlive deactivate()");
    await vscode.workspace.getConfiguration("privateCoder").update("completion.modelPath", undefined, vscode.ConfigurationTarget.Global);
  });
});
