import { chatWebview, openPrivateCoderView, activityBarItem } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";

export const title = "the Private Coder view opens from the activity bar and offers Select Model";

export async function run({ page, screenshot }: UiSession): Promise<void> {
  await activityBarItem(page, "Private Coder").waitFor({ timeout: 30_000 });
  await openPrivateCoderView(page);
  const webview = chatWebview(page);
  // The state panel is rendered by our webview script after the ready handshake with the host.
  await webview.locator('.model-state[data-state="noModel"]').waitFor({ timeout: 60_000 });
  await webview.locator("vscode-button", { hasText: "Select Model" }).waitFor({ timeout: 10_000 });
  await screenshot("chat-view-no-model");
}
