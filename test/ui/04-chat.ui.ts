// A user chats in the sidebar: types a question, sees the streamed answer render, presses Stop, starts a new
// chat, and uses Copy / Insert on a code block; screenshots in dark, light and high-contrast themes.
import { chatWebview, openPrivateCoderView, selectModelInPicker, setTheme } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";
import type { FrameLocator, Page } from "playwright-core";

export const title = "chat: Stop, a streamed answer renders, New Chat, Copy / Insert / Apply on a code block, light, dark and high-contrast themes";

async function ensureModel(page: Page, webview: FrameLocator, modelPath: string, userDataDir: string): Promise<void> {
  await webview.locator(".toolbar").waitFor({ timeout: 60_000 });
  if ((await webview.locator('.model-state[data-state="noModel"]').count()) === 0) return;
  await selectModelInPicker(page, modelPath, userDataDir);
}

async function typeInChat(page: Page, webview: FrameLocator, lines: string[]): Promise<void> {
  await webview.locator("#chat-input").click();
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await page.keyboard.press("Shift+Enter");
    await page.keyboard.type(lines[i]);
  }
  await page.keyboard.press("Enter");
}

export async function run({ page, screenshot, models, userDataDir }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]).catch(() => undefined);

  // An editor to insert into.
  await page.keyboard.press("Control+P");
  const quickOpen = page.locator(".quick-input-widget input.input");
  await quickOpen.waitFor({ timeout: 15_000 });
  await quickOpen.fill("inventory.ts");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("inventory.ts")').first().waitFor({ timeout: 15_000 });
  await quickOpen.press("Enter");
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 15_000 });

  await openPrivateCoderView(page);
  const webview = chatWebview(page);
  await ensureModel(page, webview, modelPath, userDataDir);
  await webview.locator("#new-chat").click();
  await webview.locator(".chat-empty").waitFor({ timeout: 15_000 });

  // A question, Enter, and Stop at once (the model is still loading in this fresh window): the turn says so.
  await typeInChat(page, webview, ["Write a long story about a compiler."]);
  await webview.locator(".turn--user .markdown", { hasText: "a long story about a compiler" }).waitFor({ timeout: 15_000 });
  const stop = webview.locator("vscode-button.stop");
  await stop.waitFor({ state: "visible", timeout: 10_000 });
  await stop.click();
  await webview.locator(".turn--assistant").last().locator(".turn-status", { hasText: "Stopped" }).waitFor({ timeout: 30_000 });
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 10_000 });
  await screenshot("chat-stopped");

  // Regenerate: this time the answer streams in and renders as Markdown.
  await webview.locator("vscode-button.regenerate").click();
  const answer = webview.locator(".turn--assistant").last();
  await answer.locator(".markdown :is(p, li, pre, h1, h2, h3, blockquote, table)").first().waitFor({ timeout: 120_000 });
  await screenshot("chat-streaming");
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 120_000 });
  if ((await answer.locator(".markdown").innerText()).trim() === "") throw new Error("the streamed answer is empty");

  // The input history keeps what was sent as the model saw it: a typed password comes back redacted on ↑.
  await typeInChat(page, webview, ['const password = "hunter2hunter2";']);
  await webview.locator(".turn--user .markdown", { hasText: "<secret:password#1>" }).waitFor({ timeout: 15_000 });
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 120_000 });
  await webview.locator("#chat-input").click();
  await page.keyboard.press("ArrowUp");
  const recalled = await webview.locator("#chat-input").evaluate((element) => (element as unknown as { value: string }).value);
  if (!recalled.includes("<secret:password#1>") || recalled.includes("hunter2")) throw new Error(`↑ brought back ${JSON.stringify(recalled)}`);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");

  // A paste over the message limit is refused in the view, visibly, and stays in the input.
  await webview.locator("#chat-input").evaluate((element) => {
    (element as unknown as { value: string }).value = "x".repeat(100_001);
  });
  await webview.locator("vscode-button.send").click();
  await webview.locator(".notice", { hasText: "too long" }).waitFor({ timeout: 10_000 });
  const kept = await webview.locator("#chat-input").evaluate((element) => (element as unknown as { value: string }).value.length);
  if (kept !== 100_001) throw new Error(`the refused message left ${kept} characters in the input`);
  await webview.locator("#chat-input").evaluate((element) => {
    (element as unknown as { value: string }).value = "";
  });

  // New chat, then a message with a code block: its Copy and Insert buttons work.
  await webview.locator("#new-chat").click();
  await webview.locator(".chat-empty").waitFor({ timeout: 15_000 });
  await typeInChat(page, webview, ["```ts", "const answerFromChat = 42;", "```"]);
  const block = webview.locator(".turn--user .code-block").first();
  await block.waitFor({ timeout: 15_000 });
  await block.locator(".hljs-keyword", { hasText: "const" }).waitFor({ timeout: 5_000 });
  const copy = block.locator("vscode-button.code-copy");
  await copy.click();
  await block.locator("vscode-button.code-copy", { hasText: "Copied" }).waitFor({ timeout: 5_000 });
  const clipboard = await page.evaluate(() => navigator.clipboard.readText()).catch(() => undefined);
  if (clipboard !== undefined && !clipboard.includes("answerFromChat")) throw new Error(`the clipboard holds ${JSON.stringify(clipboard.slice(0, 80))}`);
  await block.locator("vscode-button.code-insert").click();
  await page.locator(".monaco-editor .view-lines", { hasText: "answerFromChat" }).first().waitFor({ timeout: 15_000 });
  // A code block lands on a line of its own, never glued to the code that was there.
  if ((await page.locator(".monaco-editor .view-line", { hasText: "42;export" }).count()) > 0) throw new Error("Insert glued the block to the line");
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 120_000 });
  await screenshot("chat-code-block");

  // Apply: a diff of the editor against the edited version opens, and the user accepts it.
  await block.locator("vscode-button.code-apply").click();
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Apply the suggested change" });
  await toast.waitFor({ timeout: 15_000 });
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ timeout: 15_000 });
  await screenshot("chat-apply-diff");
  await toast.locator(".monaco-button", { hasText: "Accept" }).click();
  await toast.waitFor({ state: "hidden", timeout: 15_000 });
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ state: "hidden", timeout: 15_000 });

  await setTheme(page, "Light Modern");
  await screenshot("chat-light");
  await setTheme(page, "Dark Modern");
  await screenshot("chat-dark");
  await setTheme(page, "Dark High Contrast");
  await screenshot("chat-high-contrast");
  await setTheme(page, "Light High Contrast");
  await screenshot("chat-high-contrast-light");
  await setTheme(page, "Dark Modern");
}
