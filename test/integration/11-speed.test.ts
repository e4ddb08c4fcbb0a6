// Speed in the real extension host with the tiny synthetic model: switching files keeps the one left warm (the engine
// saves its KV state and restores it on the way back, the host remembers it as warm), so the suggestion in A after
// A → B → A reuses A's prompt instead of evaluating it cold; and focusing a file prewarms it.
import * as assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { activateExtension, recordUserOutcomes, useCompletionModel, waitFor } from "./helpers.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";
import type { PipelineResult } from "../../src/core/completion/index.ts";

/** ~60 lines that differ per name, so two files share nothing but the FIM marker. */
function source(name: string): string {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) lines.push(`const ${name}_${i} = compute_${name}(${i}, "${name}${i * 7}");`);
  return `${lines.join("\n")}\n\n`;
}

async function open(name: string): Promise<vscode.TextEditor> {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(root, "the integration workspace has a folder");
  const file = path.join(root, "speed-test", `${name}.ts`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, source(name));
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(document, { preview: false });
}

describe("Speed: warm files and prewarm in the extension host", function () {
  this.timeout(240_000);
  let api: PrivateCoderApi;

  before(async () => {
    api = await activateExtension();
    await useCompletionModel(api);
  });

  after(async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await api.ctx.config.update("completion.modelPath", "");
  });

  async function suggest(editor: vscode.TextEditor, line: number, character = 0): Promise<PipelineResult> {
    const position = new vscode.Position(line, character);
    for (;;) {
      const result = await api.completion.provider.complete(editor.document, position, true, new vscode.CancellationTokenSource().token);
      if (result.reason !== "modelNotReady") return result;
      await waitFor("the completion model to load", () => api.completion.loader.ready, 120_000);
    }
  }

  it("open A, then B, then A: the suggestion in A after the switch reuses A's prompt (no cold prompt)", async () => {
    const recorder = recordUserOutcomes(api);
    try {
      const a = await open("alpha");
      const first = await suggest(a, 58);
      assert.ok(first.metrics, `A reached the engine (${first.source} ${first.reason ?? ""})`);
      const b = await open("beta");
      const inB = await suggest(b, 58);
      assert.ok(inB.metrics, `B reached the engine (${inB.source} ${inB.reason ?? ""})`);
      assert.ok(inB.metrics.reusedTokens < inB.metrics.promptTokens / 2, "B was cold (it shares nothing with A)");

      const again = await open("alpha");
      assert.equal(vscode.window.activeTextEditor?.document, again.document);
      const back = await suggest(again, 59);
      assert.ok(back.metrics, `A again reached the engine (${back.source} ${back.reason ?? ""})`);
      const m = back.metrics;
      assert.ok(m.promptTokens > 400, `A's prompt ${m.promptTokens} tokens`);
      assert.ok(m.reusedTokens > m.promptTokens * 0.8, `A again reused ${m.reusedTokens} of ${m.promptTokens} tokens (restored ${m.restoredTokens ?? 0})`);
      assert.ok(m.evaluatedTokens < 64, `A again evaluated ${m.evaluatedTokens} tokens`);
      const outcome = recorder.outcomes.at(-1);
      assert.equal(outcome?.warm, true, "the host sent A's full window as warm");
    } finally {
      recorder.dispose();
    }
  });

  it("focusing a file prewarms it: the first suggestion there evaluates only the cursor line", async () => {
    const editor = await open("gamma");
    // A report left by the files before (alpha's or beta's prewarm) must not pass for gamma's.
    api.completion.prewarm.lastReport = undefined;
    editor.selection = new vscode.Selection(58, 0, 58, 0);
    // The jump to line 58 prewarms there shortly after; it runs while nobody asks.
    await waitFor("the prewarm at line 58 to finish", () => api.completion.prewarm.lastReport?.outcome?.completed === true, 60_000);
    const result = await suggest(editor, 58);
    assert.ok(result.metrics, `gamma reached the engine (${result.source} ${result.reason ?? ""})`);
    assert.ok(result.metrics.reusedTokens > result.metrics.promptTokens * 0.8, `reused ${result.metrics.reusedTokens} of ${result.metrics.promptTokens}`);
  });
});
