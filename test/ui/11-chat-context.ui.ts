// A user works on code from the chat: types "@" and picks an @-item from the completion list, asks a question
// twice (the second answer comes from the cache, marked, with Regenerate), and presses Ctrl+I in the editor to
// rewrite a function, sees the diff and rejects it (the file stays as it was). Screenshots in light and dark themes.
// The edit's answer text is scripted (the runner's PRIVATE_CODER_TEST_CHAT_ANSWER file): the real model runs the
// request, and its text is replaced by a known answer with code, so the diff never depends on random weights.
import { writeFileSync } from "node:fs";
import { chatWebview, openPrivateCoderView, selectModelInPicker, setTheme } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";
import type { FrameLocator, Page } from "playwright-core";

export const title = "chat context: the @-item picker, an answer from the cache with Regenerate, Ctrl+I Edit Selection's diff and Reject, light and dark themes";

async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press("Control+P");
  const quickOpen = page.locator(".quick-input-widget input.input");
  await quickOpen.waitFor({ timeout: 15_000 });
  await quickOpen.fill(name);
  await page.locator(`.quick-input-widget .monaco-list-row:has-text("${name}")`).first().waitFor({ timeout: 15_000 });
  await quickOpen.press("Enter");
  await page.locator(".monaco-editor .view-lines").first().waitFor({ timeout: 15_000 });
}

async function send(page: Page, webview: FrameLocator, text: string): Promise<void> {
  await webview.locator("#chat-input").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

export async function run({ page, screenshot, models, chatAnswerFile, userDataDir }: UiSession): Promise<void> {
  const modelPath = models.tiny;
  if (!modelPath) throw new Error("the runner did not prepare the tiny model");
  await openFile(page, "inventory.ts");
  await openPrivateCoderView(page);
  const webview = chatWebview(page);
  await webview.locator(".toolbar").waitFor({ timeout: 60_000 });
  // Always through Select Model: picking a local model also brings a role back from a server (an earlier script
  // may have left chat on a remote endpoint it then removed).
  await selectModelInPicker(page, modelPath, userDataDir);
  await webview.locator("#new-chat").click();
  await webview.locator(".chat-empty").waitFor({ timeout: 15_000 });

  // "@" opens the list of @-items; choosing @problems puts it in the message.
  await webview.locator("#chat-input").click();
  await page.keyboard.type("What is wrong in @");
  const list = webview.locator("#completion");
  await list.locator(".completion-item", { hasText: "@problems" }).waitFor({ timeout: 10_000 });
  await list.locator(".completion-item", { hasText: "@file:" }).waitFor({ timeout: 10_000 });
  await screenshot("chat-context-mention-picker-dark");
  await list.locator(".completion-item", { hasText: "@problems" }).click();
  const typed = await webview.locator("#chat-input").evaluate((element) => (element as unknown as { value: string }).value);
  if (!typed.includes("@problems")) throw new Error(`choosing @problems left ${JSON.stringify(typed)} in the input`);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");

  // The same question twice: the second answer comes from the cache, marked, with Regenerate. The first answer is
  // scripted, so the screenshot shows a readable answer rather than random-weight text.
  writeFileSync(chatAnswerFile, JSON.stringify("A pure function returns the same result for the same arguments and changes nothing outside itself."));
  await send(page, webview, "What does a pure function mean?");
  await webview.locator(".turn--assistant").first().waitFor({ timeout: 60_000 });
  await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 180_000 });
  await webview.locator("#new-chat").click();
  await webview.locator(".chat-empty").waitFor({ timeout: 15_000 });
  await send(page, webview, "what does a pure function mean");
  await webview.locator(".turn--assistant .turn-cached").waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
    // Say what the chat shows instead (the first answer's error, say), so a failure elsewhere can be read.
    const turns = await webview.locator(".turn").allInnerTexts().catch(() => []);
    throw new Error(`the second answer did not come from the cache; the chat shows ${JSON.stringify(turns.map((t) => t.slice(0, 300)))}`, { cause: error });
  });
  await webview.locator("vscode-button.regenerate-cached").waitFor({ timeout: 10_000 });
  await screenshot("chat-context-cached-answer-dark");

  // Ctrl+I on a function: the instruction box, then the diff with Accept / Reject / Retry; Reject keeps the file.
  writeFileSync(
    chatAnswerFile,
    JSON.stringify(
      "```ts\n  totalValueCents(): number {\n    // Sum of price times quantity over every item.\n    let total = 0;\n    for (const item of this.items.values()) {\n      total += item.priceCents * item.quantity;\n    }\n    return total;\n  }\n```\n",
    ),
  );
  await openFile(page, "inventory.ts");
  await page.locator(".monaco-editor .view-line", { hasText: "let total = 0;" }).first().click();
  await page.keyboard.press("Control+I");
  const instruction = page.locator(".quick-input-widget input.input");
  await instruction.waitFor({ timeout: 15_000 });
  await page.locator(".quick-input-widget", { hasText: "How should" }).waitFor({ timeout: 5_000 });
  await instruction.fill("Add a comment that says what it does.");
  await instruction.press("Enter");
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Apply the edit shown in the diff" });
  await toast.waitFor({ timeout: 180_000 });
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ timeout: 15_000 });
  await page.locator(".monaco-diff-editor .view-line", { hasText: "Sum of price times quantity" }).first().waitFor({ timeout: 15_000 });
  await screenshot("chat-context-edit-diff-dark");
  await setTheme(page, "Light Modern");
  await toast.waitFor({ timeout: 5_000 }).catch(() => undefined);
  await screenshot("chat-context-edit-diff-light");
  const stillOpen = await toast.isVisible();
  if (stillOpen) await toast.locator(".monaco-button", { hasText: "Reject" }).click();
  else {
    // The theme switch may have hidden the toast into the notification center: decide there.
    await page.keyboard.press("Escape");
    await page.locator(".notifications-center .notification-list-item", { hasText: "Apply the edit" }).locator(".monaco-button", { hasText: "Reject" }).click().catch(async () => {
      await page.locator(".statusbar-item[id*='notifications']").first().click();
      await page.locator(".notifications-center .notification-list-item", { hasText: "Apply the edit" }).locator(".monaco-button", { hasText: "Reject" }).click();
    });
  }
  await page.locator(".editor-instance .monaco-diff-editor").first().waitFor({ state: "hidden", timeout: 15_000 });
  if ((await page.locator(".monaco-editor .view-line", { hasText: "Sum of price times quantity" }).count()) > 0) throw new Error("Reject changed the file");
  await openPrivateCoderView(page);
  await screenshot("chat-context-light");
  await setTheme(page, "Dark Modern");
}
