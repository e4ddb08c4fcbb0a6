// Helpers that act on the VS Code workbench the way a user does: through the activity bar, the command palette,
// the status bar and the webview's own DOM.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FrameLocator, Locator, Page } from "playwright-core";

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
  await page.locator(".part.activitybar").waitFor({ timeout: 60_000 });
  // The status bar fills once the extension host is up; our item is proof the extension activated.
  await privateCoderStatusItem(page).waitFor({ timeout: 60_000 });
}

export function privateCoderStatusItem(page: Page): Locator {
  return page.locator('.part.statusbar [id="private-coder.private-coder.privateCoder.status"]');
}

export function activityBarItem(page: Page, label: string): Locator {
  return page.locator(`.part.activitybar li.action-item:has(> a.action-label[aria-label^="${label}"])`);
}

/** Opens the Private Coder side bar (clicking an already-selected item would close it, so check first). */
export async function openPrivateCoderView(page: Page): Promise<void> {
  const item = activityBarItem(page, "Private Coder");
  await item.waitFor({ timeout: 30_000 });
  if ((await item.getAttribute("aria-selected")) !== "true") await item.click();
  await page.locator('.part.sidebar .composite.title:has-text("Private Coder")').first().waitFor({ timeout: 30_000 });
}

/**
 * The chat webview's document. VS Code draws webviews in an overlay outside the side bar's DOM, in an outer iframe
 * (whose URL names the owning extension) around an inner active frame.
 */
export function chatWebview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready[src*="extensionId=private-coder.private-coder"]').frameLocator("#active-frame");
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill(`>${title}`);
  const entry = page.locator(`.quick-input-widget .monaco-list-row:has-text("${title}")`).first();
  await entry.waitFor({ timeout: 15_000 });
  await input.press("Enter");
}

/**
 * Picks `modelPath` for both roles through **Private Coder: Select Model…** (typed into the quick pick, as a user
 * pastes a path), and waits until the status bar names it and the choice is written to the settings: both model
 * paths (machine-scoped: code-server, a remote host, keeps them in the Machine settings) and both roles back on the
 * local engine (an earlier script may have left chat on a server). The status bar alone is no proof: it may have
 * named this model before the pick, and the four settings are written one after the other, so a question sent at
 * once could still go to the old backend.
 */
export async function selectModelInPicker(page: Page, modelPath: string, userDataDir: string): Promise<void> {
  await runCommand(page, "Private Coder: Select Model…");
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill(modelPath);
  // A pasted path becomes the first entry ("Use <file>").
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: `Use ${modelPath.split("/").pop()!}` }).first().waitFor({ timeout: 15_000 });
  await input.press("Enter");
  await page.locator('.quick-input-widget .monaco-list-row:has-text("Chat and completion")').waitFor({ timeout: 15_000 });
  await input.press("Enter");
  await privateCoderStatusItem(page).filter({ hasText: modelPath.split("/").pop()! }).waitFor({ timeout: 15_000 });
  const settingsFiles = ["User", "Machine"].map((folder) => path.join(userDataDir, folder, "settings.json"));
  const applied = (): boolean => {
    let settings: Record<string, unknown> = {};
    for (const file of settingsFiles) {
      try {
        settings = { ...settings, ...(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) };
      } catch {
        return false; // not there yet, or caught mid-write
      }
    }
    return (["completion", "chat"] as const).every(
      (role) => settings[`privateCoder.${role}.modelPath`] === modelPath && (settings[`privateCoder.${role}.backend`] ?? "local") === "local",
    );
  };
  for (const deadline = Date.now() + 15_000; !applied(); await page.waitForTimeout(100)) {
    if (Date.now() > deadline) throw new Error(`Select Model did not write ${modelPath} for both roles, on the local engine, to ${settingsFiles.join(" and ")} within 15 s`);
  }
}

/** Switches the color theme through Ctrl+K Ctrl+T, retrying when a loaded machine drops the chord. */
export async function setTheme(page: Page, theme: string): Promise<void> {
  // Ctrl+K Ctrl+T: "Preferences: Color Theme" (the palette's fuzzy match may pick the Marketplace entry instead).
  const input = page.locator(".quick-input-widget input.input");
  const row = page.locator(`.quick-input-widget .monaco-list-row:has-text("${theme}")`).first();
  // A loaded machine can let the chord time out between its two keys, or close the picker again as focus settles:
  // try again rather than fail.
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press("Escape");
    await page.locator(".monaco-editor .view-lines").first().click();
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+T");
    const picked = await input
      .waitFor({ state: "visible", timeout: 5_000 })
      .then(() => input.fill(theme, { timeout: 5_000 }))
      .then(() => row.waitFor({ timeout: 15_000 }))
      .then(
        () => true,
        () => false,
      );
    if (picked) break;
    if (attempt === 3) throw new Error(`the color theme picker did not offer "${theme}" after 3 attempts`);
  }
  await input.press("Enter");
  await page.waitForTimeout(1500);
}
