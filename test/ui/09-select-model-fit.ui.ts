// Select Model's fit verdicts in the real workbench: a model in the extension's models folder is listed at once with
// the host's quick estimate, then — without closing or reopening the picker — with node-llama-cpp's estimate from the
// engine (the largest context that fits, the source named); the catalog's rows name theirs (catalog size × 1.2).
// Then Estimate Memory opens its report (the rule-of-thumb table and the models found) in the Markdown preview.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { runCommand } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "Select Model lists a model with the quick estimate, then node-llama-cpp's fit verdict and the largest context, each naming its source; Estimate Memory shows its report";

export async function run({ page, screenshot, models, userDataDir }: UiSession): Promise<void> {
  const tiny = models.tiny;
  if (!tiny) throw new Error("the runner did not prepare the tiny model");
  const modelsDir = path.join(userDataDir, "User", "globalStorage", "private-coder.private-coder", "models");
  const file = path.join(modelsDir, "fit-check-tiny.gguf");
  mkdirSync(modelsDir, { recursive: true });
  copyFileSync(tiny, file);
  try {
    await runCommand(page, "Private Coder: Select Model…");
    // Filtered to the model, so its row is in view however long the rest of the list is.
    await page.locator(".quick-input-widget input.input").fill("fit-check");
    const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: "fit-check-tiny" });
    await row.first().waitFor({ timeout: 15_000 });
    await row.filter({ hasText: "estimated by node-llama-cpp" }).first().waitFor({ timeout: 60_000 });
    const detail = await row.first().innerText();
    if (!/up to \d+k context/.test(detail)) throw new Error(`the loader's row names no largest context: ${detail}`);
    await screenshot("select-model-fit");
    // The catalog's rows name their source too, and the unfiltered list opens at its top, not at Browse….
    await page.locator(".quick-input-widget input.input").fill("");
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "catalog size × 1.2" }).first().waitFor({ timeout: 5_000 });
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "On this machine" }).first().waitFor({ timeout: 5_000 });
    await screenshot("select-model-fit-list");
    await page.keyboard.press("Escape");
    await page.locator(".quick-input-widget").waitFor({ state: "hidden", timeout: 5_000 });

    // Estimate Memory: the article's table and this machine's models, in VS Code's Markdown preview.
    await runCommand(page, "Private Coder: Estimate Memory");
    const preview = page.frameLocator('iframe.webview.ready[src*="extensionId=vscode.markdown-language-features"]').frameLocator("#active-frame");
    await preview.locator("h1", { hasText: "memory estimate" }).waitFor({ timeout: 60_000 });
    await preview.locator("h2", { hasText: "Rule of thumb" }).waitFor({ timeout: 5_000 });
    await preview.locator("td", { hasText: "fit-check-tiny.gguf" }).first().waitFor({ timeout: 5_000 });
    await screenshot("estimate-memory");
  } finally {
    rmSync(file, { force: true });
  }
}
