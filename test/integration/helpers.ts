import * as assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { CHAT_VIEW_ID } from "../../src/core/commandIds.ts";
import type { CompletionOutcome } from "../../src/core/completion/index.ts";
import type { PrivateCoderApi } from "../../src/extension/extension.ts";

export const EXTENSION_ID = "private-coder.private-coder";

export async function activateExtension(): Promise<PrivateCoderApi> {
  const extension = vscode.extensions.getExtension<PrivateCoderApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  return extension.activate();
}

/** Every log file of this VS Code session (the output channels' and the extension host's), joined. */
export async function allLogText(api: PrivateCoderApi): Promise<string> {
  const texts: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith(".log")) texts.push(await readFile(full, "utf8"));
    }
  }
  await walk(path.dirname(path.dirname(api.ctx.extensionContext.logUri.fsPath)));
  return texts.join("\n");
}

/** Polls until `condition` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Synthetic models the runner generated before starting VS Code (env PRIVATE_CODER_TEST_MODELS: name → path). */
export function testModel(name: string): string {
  const models = JSON.parse(process.env.PRIVATE_CODER_TEST_MODELS ?? "{}") as Record<string, string>;
  const modelPath = models[name];
  assert.ok(modelPath, `test model "${name}" was not prepared by the runner (PRIVATE_CODER_TEST_MODELS)`);
  return modelPath;
}

/** Points inline completion at a synthetic test model and turns it on (the completion suites' `before`). */
export async function useCompletionModel(api: PrivateCoderApi, name = "tiny"): Promise<void> {
  await api.ctx.config.update("completion.modelPath", testModel(name));
  await api.ctx.config.update("completion.enabled", true);
  await waitFor("the model setting to apply", () => api.ctx.config.completionModelPath === testModel(name));
}

/**
 * Records the completion outcomes of user requests (the pipeline's own event, which statistics subscribe to): what
 * VS Code's calls to the provider came to. Dispose it when done.
 */
export function recordUserOutcomes(api: PrivateCoderApi): { readonly outcomes: CompletionOutcome[]; dispose(): void } {
  const outcomes: CompletionOutcome[] = [];
  const subscription = api.completion.pipeline.onOutcome((outcome) => {
    if (!outcome.prefetch && outcome.kind !== "accepted") outcomes.push(outcome);
  });
  return { outcomes, dispose: () => subscription.dispose() };
}

/** Engine requests made for the user (speculative prefetches excluded). */
export function userRequests(api: PrivateCoderApi): number {
  return api.completion.stats.engineRequests - api.completion.stats.prefetchRequests;
}

/** Both roles on the tiny model, the chat view focused and ready, a new conversation (the chat suites' `before`). */
export async function openChatWithTinyModel(api: PrivateCoderApi): Promise<void> {
  await api.ctx.config.update("chat.modelPath", testModel("tiny"));
  await api.ctx.config.update("completion.modelPath", testModel("tiny"));
  await waitFor("the model setting to apply", () => api.ctx.config.chatModelPath === testModel("tiny"));
  await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
  await waitFor("the chat webview to be ready", () => api.chatView.isReady, 60_000);
  await api.chat.newChat();
}

/** Stops any answer and clears the model settings (the chat suites' `after`). */
export async function closeChatAndModels(api: PrivateCoderApi): Promise<void> {
  api.chat.stop();
  await api.chat.idle();
  await api.ctx.config.update("chat.modelPath", "");
  await api.ctx.config.update("completion.modelPath", "");
}
