// A user types in a TypeScript file with the tiny synthetic model: ghost text appears (VS Code's inline suggestion
// decorations, drawn from our provider's item), Alt+] / Alt+[ cycle to an alternative and back, Tab accepts it and
// the document changes. The engine runs every request; the texts are scripted (UiSession.completionTextsFile), so
// the script never depends on what random weights write.
import { writeFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { privateCoderStatusItem, runCommand, selectModelInPicker } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "Typing shows ghost text from the completion model, Alt+] / Alt+[ cycle alternatives, Tab accepts";

async function editorText(page: Page): Promise<string> {
  return page.locator(".editor-instance .view-lines").first().innerText();
}

/** The cursor position the status bar shows ("Ln 39, Col 26"): the document, not the ghost text. */
async function cursorPosition(page: Page): Promise<string> {
  const text = await page.locator(".part.statusbar .statusbar-item", { hasText: /Ln \d+, Col \d+/ }).first().innerText();
  return /Ln \d+, Col \d+/.exec(text)?.[0] ?? text;
}

export async function run({ page, screenshot, models, completionTextsFile, userDataDir }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  const modelName = modelPath.split("/").pop()!;
  if (!(await privateCoderStatusItem(page).innerText()).includes(modelName)) await selectModelInPicker(page, modelPath, userDataDir);
  await privateCoderStatusItem(page).filter({ hasText: modelName }).waitFor({ timeout: 15_000 });

  // Known suggestion texts (see src/extension/completion/scriptedTexts.ts): the engine still runs every request, but
  // the first suggestion reads `return item.name;` and the alternative `return String(item.sku);`.
  writeFileSync(completionTextsFile, JSON.stringify(["return item.name;", "return String(item.sku);"]));

  // Quick Open (Ctrl+P), as a user opens a file.
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill("inventory.ts");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("inventory.ts")').first().waitFor({ timeout: 15_000 });
  await input.press("Enter");
  const editor = page.locator(".editor-instance .monaco-editor").first();
  await editor.waitFor({ timeout: 15_000 });
  await editor.click();
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("export function describe(item: Item): string {", { delay: 40 });
  await page.keyboard.press("Enter");

  // The first keystrokes start loading the completion model in the background; wait until it is ready (the one
  // status item shows the completion part's code icon, no spinner).
  const status = privateCoderStatusItem(page);
  const started = Date.now();
  while ((await status.locator(".codicon-loading").count()) > 0 || (await status.locator(".codicon-code").count()) === 0) {
    if (Date.now() - started > 120_000) throw new Error(`the completion model did not load: ${await status.innerText()}`);
    await page.waitForTimeout(500);
  }

  // Ask for a suggestion (Alt+\). The texts are the scripted ones, so nothing depends on what random weights write.
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text, .monaco-editor .ghost-text-decoration-preview");
  const shownText = async () => (await ghost.allInnerTexts()).join("").trim();
  // Every text the status item showed while waiting: an explicit request that shows nothing flashes its reason there
  // for a few seconds ("the model is not ready yet", "cancelled"), which a failure must name.
  const statusSeen = new Set<string>();
  const ghostShows = async (needle: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await shownText()).includes(needle)) {
      statusSeen.add((await privateCoderStatusItem(page).innerText()).replace(/\s+/g, " ").trim());
      if (Date.now() > deadline) {
        throw new Error(`the ghost text never showed ${JSON.stringify(needle)}; it shows ${JSON.stringify(await shownText())}; the status item said ${JSON.stringify([...statusSeen])}`);
      }
      await page.waitForTimeout(250);
    }
  };
  // IntelliSense's suggest widget would take the Tab: close it before asking for the inline suggestion.
  const suggestWidget = page.locator(".monaco-editor .suggest-widget.visible");
  // One Alt+\ is enough even while the model still loads (the request waits for it); VS Code would not ask the
  // provider again for the same place, so a second press could not rescue a first that showed nothing.
  const showSuggestion = async (): Promise<void> => {
    if ((await suggestWidget.count()) > 0) await page.keyboard.press("Escape");
    statusSeen.clear();
    await page.keyboard.press("Alt+Backslash");
    await ghostShows("item.name");
  };
  await showSuggestion();
  await screenshot("completion-ghost-text");

  // Alt+] shows the alternative (generated when asked, from a sampled request), Alt+[ goes back to the first.
  await page.keyboard.press("Alt+BracketRight");
  await ghostShows("String(item.sku)");
  await screenshot("completion-alternative");
  await page.keyboard.press("Alt+BracketLeft");
  await page.waitForTimeout(500);
  if (!(await shownText()).includes("item.name")) throw new Error(`Alt+[ did not go back to the first suggestion: ${JSON.stringify(await shownText())}`);
  if ((await suggestWidget.count()) > 0) await showSuggestion();

  const ghostText = (await ghost.first().innerText()).trim();
  const before = await editorText(page);
  const cursorBefore = await cursorPosition(page);
  await page.keyboard.press("Tab");
  await page.waitForTimeout(500);
  const after = await editorText(page);
  const cursorAfter = await cursorPosition(page);
  if (cursorAfter === cursorBefore) throw new Error(`Tab did not insert the suggestion: the cursor stayed at ${cursorBefore}`);
  await screenshot("completion-accepted");
  if (after === before) throw new Error("Tab did not change the document");
  // The accepted suggestion is now in the document (the same text may show as ghost text again after it).
  if (!after.replace(/\s+/g, "").includes("returnitem.name;")) throw new Error(`the suggestion ${JSON.stringify(ghostText)} is not in the document after Tab`);
  // Leave the shared UI workspace as it was.
  await runCommand(page, "File: Revert File");
}
