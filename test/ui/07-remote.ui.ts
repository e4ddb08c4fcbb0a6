// A user adds a team server through Private Coder: Add Remote Endpoint… (URL, then the API key), uses it for chat,
// and sees the consent modal before any code leaves the machine: Cancel sends nothing; agreeing streams the answer
// from the server. Then Test Remote Connection, and Remove. The "team server" is a real llama-server on 127.0.0.1
// behind a small recording relay on this machine's non-loopback address (so consent applies, and the relay shows what
// reached the server and when).
import http from "node:http";
import os from "node:os";
import { cachedLlamaTool } from "../../scripts/llama-tools.ts";
import { freePort, LlamaServer } from "../fixtures/llamaServer.ts";
import { chatWebview, openPrivateCoderView, runCommand } from "./workbench.ts";
import type { UiSession } from "../runner/ui.ts";
import type { Page } from "playwright-core";

export const title = "remote: Add Remote Endpoint (URL, key), the consent modal (Cancel sends nothing, agree streams the answer), Test Connection, Remove";

/** Forwards every request to `target` and remembers method and path (never bodies or headers). */
async function recordingRelay(host: string, target: string): Promise<{ url: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return { url: `http://${host}:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function fillQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ timeout: 15_000 });
  await input.fill(text);
  await input.press("Enter");
}

export async function run({ page, screenshot, models }: UiSession): Promise<void> {
  const binary = cachedLlamaTool("llama-server");
  if (!binary || !models.tiny) throw new Error("llama-server or the tiny model was not prepared by the runner");
  const address = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;
  if (!address) throw new Error("this machine has no non-loopback IPv4 address for the consent check");
  const llama = new LlamaServer({ binary, model: models.tiny, parallel: 2, apiKey: "ui-remote-key" });
  await llama.start();
  const relay = await recordingRelay(address, llama.url);
  try {
    // --- add the endpoint: URL, then the key (a password box) --------------------------------------------------
    await runCommand(page, "Private Coder: Add Remote Endpoint…");
    await fillQuickInput(page, `${relay.url}/v1`);
    await page.locator(".quick-input-widget input[type=password]").waitFor({ timeout: 15_000 });
    await screenshot("add-endpoint-key");
    await fillQuickInput(page, llama.apiKey);
    const tested = page.locator(".notifications-toasts .notification-toast", { hasText: "answers in" });
    await tested.waitFor({ timeout: 60_000 });
    await screenshot("add-endpoint-tested");
    await tested.getByRole("button", { name: "Use for Chat", exact: true }).click();
    await tested.waitFor({ state: "hidden", timeout: 15_000 });
    // The settings are written after the click; the chat view then names the remote model instead of "No model".
    const probed = relay.seen.length;
    if (relay.seen.some((r) => r.startsWith("POST"))) throw new Error(`the connection test sent a POST: ${relay.seen.join(", ")}`);

    // --- the consent modal: Cancel sends nothing ---------------------------------------------------------------
    await openPrivateCoderView(page);
    const webview = chatWebview(page);
    await webview.locator("#chat-input").waitFor({ timeout: 60_000 });
    await webview.locator('.model-state[data-state="noModel"]').waitFor({ state: "detached", timeout: 15_000 });
    await webview.locator("#chat-input").click();
    await page.keyboard.type("What does this server see?");
    await page.keyboard.press("Enter");
    const dialog = page.locator(".monaco-dialog-box");
    await dialog.filter({ hasText: address }).waitFor({ timeout: 60_000 });
    if (!(await dialog.innerText()).includes("safety filter")) throw new Error("the consent modal does not say what the safety filter removes");
    await screenshot("consent-modal");
    await dialog.locator(".monaco-button", { hasText: "Cancel" }).click();
    await webview.locator(".turn-error", { hasText: "did not agree" }).waitFor({ timeout: 30_000 });
    if (relay.seen.length !== probed) throw new Error(`requests reached the server before consent: ${relay.seen.slice(probed).join(", ")}`);
    await screenshot("consent-refused");

    // --- agree: the answer streams from the server --------------------------------------------------------------
    await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 30_000 });
    await webview.locator("#chat-input").click();
    await page.keyboard.type("Now answer, please.");
    await page.keyboard.press("Enter");
    await dialog.waitFor({ timeout: 60_000 });
    await dialog.locator(".monaco-button", { hasText: "Send Code to" }).click();
    const answer = webview.locator(".turn--assistant").last();
    await webview.locator("vscode-button.send").waitFor({ state: "visible", timeout: 120_000 });
    if (!relay.seen.some((r) => r === "POST /v1/chat/completions")) throw new Error(`the chat did not reach the server: ${relay.seen.join(", ")}`);
    if ((await answer.locator(".turn-error").count()) > 0) throw new Error(`the answer failed: ${await answer.locator(".turn-error").innerText()}`);
    await screenshot("remote-answer");

    // --- Test Remote Connection, then Remove ----------------------------------------------------------------------
    await runCommand(page, "Private Coder: Test Remote Connection");
    await page.locator(".notifications-toasts .notification-toast", { hasText: "/infill" }).waitFor({ timeout: 60_000 });
    await screenshot("test-connection");
    await runCommand(page, "Private Coder: Remove Remote Endpoint…");
    // Removal is done (settings, key, consent) when it says so; testing before that would still reach the server.
    await page.locator(".notifications-toasts .notification-toast", { hasText: "with its API key and consent" }).waitFor({ timeout: 30_000 });
    await screenshot("remote-removed");
    // VS Code shows three toasts at most; earlier ones (with buttons) stay, so make room for the next one.
    await runCommand(page, "Notifications: Clear All Notifications");
    await runCommand(page, "Private Coder: Test Remote Connection");
    // The message shows as a toast, or, when the workbench keeps it from toasting (in some full runs no toast came),
    // it is still listed in the notification center: look there too rather than only at toasts.
    const noEndpoint = "No remote endpoint is configured";
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: noEndpoint });
    if (!(await toast.waitFor({ timeout: 10_000 }).then(() => true, () => false))) {
      await runCommand(page, "Notifications: Show Notifications");
      await page.locator(".notifications-center", { hasText: noEndpoint }).waitFor({ timeout: 20_000 });
    }
    await screenshot("remote-none-left");
  } finally {
    await relay.close();
    await llama.stop();
  }
}
