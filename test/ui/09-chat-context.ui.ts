// A user gives the chat more of their code and lets it change code: the @-picker offers context items and files
// as they type, a question with @file asked again in a new chat is answered "from cache", and Edit Selection
// (Ctrl+I) shows the model's rewrite as a diff with Accept / Reject / Retry; Reject leaves the file as it was.
// Screenshots in dark and light themes.
import { chatWebview, openPrivateCoderView, selectModelInPicker, setTheme } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";
import type { FrameLocator, Page } from "playwright-core";

export const title = "chat context: the @-picker, an answer from the cache, Edit Selection's diff with Reject, dark and light themes";

const QUESTION = "What does this file do?";

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press("Control+P");
  const quickOpen = page.locator(".quick-input-widget input.input");
  await quickOpen.waitFor({ timeout: 15_000 });
  await quickOpen.fill(name);
  await page.locator(`.quick-input-widget .monaco-list-row:has-text("${name}")`).first().waitFor({ timeout: 15_000 });
  await quickOpen.press("Enter");
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 15_000 });
}

/** Types `@file:inv` and waits for the file list; leaves the picker open. */
async function openPicker(webview: FrameLocator, page: Page): Promise<void> {
  await webview.locator("#new-chat").click();
  await webview.locator(".chat-empty").waitFor({ timeout: 15_000 });
  await webview.locator("#chat-input").click();
  await page.keyboard.type("@");
  await webview.locator("#completion .completion-item", { hasText: "@problems" }).waitFor({ timeout: 10_000 });
  await page.keyboard.type("file:inv");
  await webview.locator("#completion .completion-item", { hasText: "src/inventory.ts" }).waitFor({ timeout: 15_000 });
}

/** Asks QUESTION about @file:src/inventory.ts (picked from the list) and waits for the answer to end. */
async function askAboutFile(webview: FrameLocator, page: Page): Promise<void> {
  await openPicker(webview, page);
  await page.keyboard.press("Enter");
  const value = await webview.locator("#chat-input").evaluate((e) => (e as unknown as { value: string }).value);
  if (value !== "@file:src/inventory.ts ") throw new Error(`the picker inserted ${JSON.stringify(value)}`);
  await page.keyboard.type(QUESTION);
  await page.keyboard.press("Enter");
  await webview.locator(".turn--user .attachment", { hasText: "src/inventory.ts" }).first().waitFor({ timeout: 15_000 });
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 180_000 });
}

/** Selects the first lines of the editor, presses Ctrl+I, types the instruction, and waits for the diff. */
async function editSelection(page: Page): Promise<void> {
  await page.locator(".monaco-editor .view-lines").first().click();
  await page.keyboard.press("Control+Home");
  for (let i = 0; i < 6; i++) await page.keyboard.press("Shift+ArrowDown");
  await page.keyboard.press("Control+I");
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill("add a comment to each line");
  await input.press("Enter");
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Apply the edit shown in the diff" });
  const noCode = page.locator(".notifications-toasts .notification-toast", { hasText: "was not changed" });
  await toast.or(noCode).first().waitFor({ timeout: 180_000 });
  if (await noCode.isVisible()) throw new Error("the tiny model's answer had no code to apply: no diff to show");
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ timeout: 15_000 });
}

async function rejectEdit(page: Page): Promise<void> {
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Apply the edit shown in the diff" });
  await toast.locator(".monaco-button", { hasText: "Reject" }).click();
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ state: "hidden", timeout: 15_000 });
  // Nothing changed: the editor's tab is not dirty.
  if ((await page.locator(".tab.dirty", { hasText: "inventory.ts" }).count()) > 0) throw new Error("Reject left the file changed");
}

export async function run({ page, screenshot, models }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  await openFile(page, "inventory.ts");
  await openPrivateCoderView(page);
  const webview = chatWebview(page);
  await webview.locator(".toolbar").waitFor({ timeout: 60_000 });
  if ((await webview.locator('.model-state[data-state="noModel"]').count()) > 0) await selectModelInPicker(page, modelPath);

  for (const theme of ["dark", "light"] as const) {
    if (theme === "light") await setTheme(page, "Light Modern");
    await openPicker(webview, page);
    await screenshot(`chat-context-picker-${theme}`);
    await page.keyboard.press("Escape");
    await webview.locator("#completion").waitFor({ state: "hidden", timeout: 5_000 });

    // The same question on the same file, in a new chat: answered from the cache.
    await askAboutFile(webview, page);
    await askAboutFile(webview, page);
    await webview.locator(".turn--assistant .turn-cached").first().waitFor({ timeout: 15_000 });
    await webview.locator("vscode-button.regenerate-cached").waitFor({ timeout: 5_000 });
    await screenshot(`chat-context-cached-${theme}`);

    await editSelection(page);
    await screenshot(`chat-edit-diff-${theme}`);
    await rejectEdit(page);
  }
  await setTheme(page, "Dark Modern");
}
