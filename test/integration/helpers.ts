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
