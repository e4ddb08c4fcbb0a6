import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { PrivateCoderApi } from "../../src/extension/extension";

export const EXTENSION_ID = "private-coder.private-coder";

export async function activateExtension(): Promise<PrivateCoderApi> {
  const extension = vscode.extensions.getExtension<PrivateCoderApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this extension host`);
  return extension.activate();
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

/** Engine requests made for the user (speculative prefetches excluded). */
export function userRequests(api: PrivateCoderApi): number {
  return api.completion.pipeline.stats.engineRequests - api.completion.pipeline.stats.prefetchRequests;
}
