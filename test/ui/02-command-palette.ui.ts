import { privateCoderStatusItem, runCommand } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "Toggle Inline Completions from the command palette changes the status bar";

export async function run({ page, screenshot }: UiSession): Promise<void> {
  const status = privateCoderStatusItem(page);
  const before = (await status.innerText()).trim();
  await runCommand(page, "Private Coder: Toggle Inline Completions");
  await page.locator(".part.statusbar", { hasText: "inline completions off" }).waitFor({ timeout: 15_000 });
  await status.locator(".codicon-circle-slash").waitFor({ timeout: 15_000 });
  await screenshot("command-palette-completions-off");
  await runCommand(page, "Private Coder: Toggle Inline Completions");
  await status.locator(".codicon-circle-slash").waitFor({ state: "detached", timeout: 15_000 });
  const after = (await status.innerText()).trim();
  if (after !== before) throw new Error(`status bar should return to "${before}" but shows "${after}"`);
}
