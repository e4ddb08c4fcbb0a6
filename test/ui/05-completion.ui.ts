// A user types in a TypeScript file with the tiny synthetic model: ghost text appears (VS Code's inline suggestion
// decorations, drawn from our provider's item), Alt+] / Alt+[ cycle to an alternative and back, Tab accepts it and
// the document changes. The model writes
// gibberish, so the script asserts what happens, not what is written.
import type { Page } from "playwright-core";
import { privateCoderStatusItem, runCommand, selectModelInPicker } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "Typing shows ghost text from the completion model, Alt+] / Alt+[ cycle alternatives, Tab accepts";

function completionStatusItem(page: Page) {
  return page.locator('.part.statusbar [id="private-coder.private-coder.privateCoder.completionStatus"]');
}

async function editorText(page: Page): Promise<string> {
  return page.locator(".editor-instance .view-lines").first().innerText();
}

/** The cursor position the status bar shows ("Ln 39, Col 26"): the document, not the ghost text. */
async function cursorPosition(page: Page): Promise<string> {
  const text = await page.locator(".part.statusbar .statusbar-item", { hasText: /Ln \d+, Col \d+/ }).first().innerText();
  return /Ln \d+, Col \d+/.exec(text)?.[0] ?? text;
}

export async function run({ page, screenshot, models }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  const modelName = modelPath.split("/").pop()!;
  if (!(await privateCoderStatusItem(page).innerText()).includes(modelName)) await selectModelInPicker(page, modelPath);
  await privateCoderStatusItem(page).filter({ hasText: modelName }).waitFor({ timeout: 15_000 });

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

  // The first keystrokes start loading the completion model in the background; wait until it is ready.
  const status = completionStatusItem(page);
  await status.waitFor({ timeout: 15_000 });
  const started = Date.now();
  while (/loading|no model/.test(await status.innerText())) {
    if (Date.now() - started > 120_000) throw new Error(`the completion model did not load: ${await status.innerText()}`);
    await page.waitForTimeout(500);
  }

  // Ask for a suggestion (Alt+\); the tiny model's output is sometimes dropped by post-processing, so type a
  // little more and ask again until ghost text shows.
  const ghost = page.locator(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text, .monaco-editor .ghost-text-decoration-preview");
  const more = ["const label = ", "item.", "name", " + ", '"'];
  let shown = false;
  // IntelliSense's suggest widget would take the Tab: close it before asking for the inline suggestion.
  const suggestWidget = page.locator(".monaco-editor .suggest-widget.visible");
  for (let attempt = 0; attempt <= more.length && !shown; attempt++) {
    if ((await suggestWidget.count()) > 0) await page.keyboard.press("Escape");
    await page.keyboard.press("Alt+Backslash");
    try {
      await ghost.first().waitFor({ timeout: 20_000 });
      shown = true;
    } catch {
      if (attempt < more.length) await page.keyboard.type(more[attempt], { delay: 60 });
    }
  }
  if (!shown) throw new Error("no ghost text appeared");
  if ((await suggestWidget.count()) > 0) {
    // It opened again on the last keystroke: close it and show the inline suggestion once more.
    await page.keyboard.press("Escape");
    await page.keyboard.press("Alt+Backslash");
    await ghost.first().waitFor({ timeout: 20_000 });
  }
  await screenshot("completion-ghost-text");

  // Alt+] shows another suggestion (a sampled alternative), Alt+[ goes back to the first. The tiny model's
  // alternative is sometimes dropped by post-processing or equal to the first: type on and try again.
  const shownText = async () => (await ghost.allInnerTexts()).join("").trim();
  let cycled = false;
  const typeOn = ["item", ".", "sku", " + ", "item.", "name"];
  for (let attempt = 0; attempt < typeOn.length && !cycled; attempt++) {
    const first = await shownText();
    await page.keyboard.press("Alt+BracketRight");
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !cycled) {
      await page.waitForTimeout(250);
      const now = await shownText();
      cycled = now.length > 0 && now !== first;
    }
    if (cycled) {
      await screenshot("completion-alternative");
      await page.keyboard.press("Alt+BracketLeft");
      await page.waitForTimeout(500);
      if ((await shownText()) !== first) throw new Error(`Alt+[ did not go back to the first suggestion: ${JSON.stringify(await shownText())}`);
      break;
    }
    // One suggestion only here: type a character and ask again.
    await page.keyboard.press("Escape");
    await page.keyboard.type(typeOn[attempt], { delay: 60 });
    if ((await suggestWidget.count()) > 0) await page.keyboard.press("Escape");
    await page.keyboard.press("Alt+Backslash");
    await ghost.first().waitFor({ timeout: 20_000 }).catch(() => undefined);
  }
  if (!cycled) throw new Error("Alt+] never showed a second suggestion");
  if ((await suggestWidget.count()) > 0) await page.keyboard.press("Escape");
  await ghost.first().waitFor({ timeout: 20_000 });

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
  // The accepted text is now in the document (the tiny model may well suggest the same gibberish again after it).
  if (ghostText.length > 0 && !after.replace(/\s+/g, "").includes(ghostText.replace(/\s+/g, "").slice(0, 20))) {
    throw new Error(`the ghost text ${JSON.stringify(ghostText.slice(0, 40))} is not in the document after Tab`);
  }
  // Leave the shared UI workspace as it was.
  await runCommand(page, "File: Revert File");
}
