// A user picks a model file through Select Model (VS Code's own file dialog in the browser), starts the engine,
// restarts it from the status-bar menu (with progress), then reloads the window: the old engine child must not
// survive the reload.
import { execFileSync } from "node:child_process";
import { privateCoderStatusItem, runCommand, waitForWorkbench } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "Select Model picks a .gguf, the engine starts, the status menu restarts it with progress, and Reload Window leaves no orphan child";

function engineChildPids(): number[] {
  try {
    return execFileSync("pgrep", ["-f", "dist/inference/child.mjs"], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function run({ page, screenshot, models }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  const modelName = modelPath.split("/").pop()!;
  const pidsBefore = new Set(engineChildPids());

  await runCommand(page, "Private Coder: Select Model…");
  // Select Model opens the model list first; Browse… (typed to filter, then Enter) leads to the file dialog.
  const input = page.locator(".quick-input-widget input.input");
  // Browse… is the list's last entry: once the models and the catalog are listed it is scrolled out of view (the
  // list renders only visible rows), so wait for the picker, then filter to it as a user types.
  await page.locator(".quick-input-widget .quick-input-title", { hasText: "Private Coder: Select Model" }).waitFor({ timeout: 15_000 });
  await page.locator(".quick-input-widget .monaco-list-row").first().waitFor({ timeout: 15_000 });
  await screenshot("select-model-list");
  await input.fill("Browse");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("Browse…")').waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  await input.press("Enter");
  // code-server has no native dialog: VS Code shows its simple file dialog, a quick input that takes a path.
  await page.locator('.quick-input-widget .monaco-list-row:has-text("Browse…")').waitFor({ state: "detached", timeout: 15_000 });
  await input.waitFor({ timeout: 15_000 });
  // The dialog fills in its start folder asynchronously; typing before that gets the two concatenated.
  await page.locator(".quick-input-widget .monaco-list-row").first().waitFor({ timeout: 15_000 });
  await page.waitForFunction('document.querySelector(".quick-input-widget input.input")?.value.endsWith("/") === true', undefined, { timeout: 15_000 });
  await input.fill(modelPath);
  await page.waitForTimeout(500);
  await screenshot("select-model-dialog");
  await input.press("Enter");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("Chat and completion")').waitFor({ timeout: 15_000 });
  await input.press("Enter");
  await privateCoderStatusItem(page).filter({ hasText: modelName }).waitFor({ timeout: 15_000 });

  await runCommand(page, "Private Coder: Show Engine Status");
  // "1 thread" or "2 threads": what the engine measured or remembered on this machine.
  await page.locator(".notifications-toasts", { hasText: /\d+ threads? \(/ }).waitFor({ timeout: 60_000 });
  await screenshot("engine-status");
  const first = engineChildPids().filter((pid) => !pidsBefore.has(pid));
  if (first.length !== 1) throw new Error(`expected one new engine child, found ${first.length}`);

  // One Private Coder item in the status bar; its click opens the menu, and Restart Engine shows progress.
  const ours = await page.locator('.part.statusbar [id^="private-coder.private-coder."]').count();
  if (ours !== 1) throw new Error(`expected one Private Coder status-bar item, found ${ours}`);
  await page.keyboard.press("Escape");
  await privateCoderStatusItem(page).click();
  const menu = page.locator(".quick-input-widget");
  for (const entry of ["Select Model…", "Turn Inline Completions Off", "Show Statistics", "Show What the Model Sees", "Show Engine Status", "Enable GPU Acceleration", "Optimize the Engine for This CPU", "Show Logs", "Restart Engine"]) {
    await menu.locator(".monaco-list-row", { hasText: entry }).first().waitFor({ timeout: 15_000 });
  }
  await screenshot("status-menu");
  await menu.locator(".monaco-list-row", { hasText: "Restart Engine" }).first().click();
  await page.locator(".notifications-toasts", { hasText: "restarting the engine" }).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(400); // the toast slides in
  await screenshot("restart-progress");
  await waitUntil("the engine child from before the restart to exit", () => !engineChildPids().includes(first[0]), 20_000);
  // The restart loads the model again at once: a new child is running when the progress ends.
  await page.locator(".notifications-toasts", { hasText: "restarting the engine" }).waitFor({ state: "detached", timeout: 60_000 });
  await privateCoderStatusItem(page).filter({ hasText: modelName }).waitFor({ timeout: 15_000 });
  const started = engineChildPids().filter((pid) => !pidsBefore.has(pid));
  if (started.length !== 1 || started[0] === first[0]) throw new Error(`expected one new engine child after the restart, found ${JSON.stringify(started)}`);

  await runCommand(page, "Developer: Reload Window");
  await waitForWorkbench(page);
  await waitUntil("the old engine child to exit after the reload", () => !engineChildPids().includes(started[0]), 20_000);
}
