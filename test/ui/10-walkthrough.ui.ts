// The getting-started walkthrough, as a newcomer meets it: Welcome: Open Walkthrough… lists Private Coder's, its
// steps show their texts and markdown, and the first step's Select Model button opens the model picker.
import { runCommand } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "the getting-started walkthrough opens from the Welcome page, shows its steps, and its Select Model button opens the picker";

export async function run({ page, screenshot }: UiSession): Promise<void> {
  await runCommand(page, "Welcome: Open Walkthrough...");
  const input = page.locator(".quick-input-widget input.input");
  await input.fill("Get started with Private Coder");
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Get started with Private Coder" }).first().waitFor({ timeout: 15_000 });
  await input.press("Enter");
  const steps = page.locator(".gettingStartedContainer");
  for (const step of ["Pick a model that fits this machine", "Ask about your code", "Ghost text as you type", "Explain a selection", "Private by default"]) {
    await steps.locator(".getting-started-step", { hasText: step }).first().waitFor({ timeout: 20_000 });
  }
  await page.waitForTimeout(1000); // the step's markdown renders in its own frame
  await screenshot("walkthrough");
  await steps.locator(".getting-started-step.expanded a, .getting-started-step.expanded .button-link", { hasText: "Select Model" }).first().click();
  await page.locator(".quick-input-widget .quick-input-title", { hasText: "Private Coder: Select Model" }).waitFor({ timeout: 15_000 });
  await screenshot("walkthrough-select-model");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+W"); // close the walkthrough editor for the scripts after this one
}
