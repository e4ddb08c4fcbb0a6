import * as vscode from "vscode";
import { parseWebviewToHost, type HostToWebview, type WebviewToHost } from "../core/chatProtocol.ts";
import { CHAT_VIEW_ID, COMMANDS } from "../core/commandIds.ts";
import type { ChatController } from "./chat/chatController.ts";
import type { Ctx } from "./ctx.ts";
import type { ModelStatus } from "./modelStatus.ts";
import { webviewPageHtml } from "./webviewPage.ts";
import { chatStringsElement } from "./webviewStrings.ts";

/**
 * The chat sidebar. The view is rebuilt from scratch whenever VS Code recreates it (no
 * `retainContextWhenHidden`): the webview keeps its own view state with `getState/setState`, and after its `ready`
 * message the host re-sends the engine state and the conversation (`ChatController.resync`).
 */
export class ChatViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = CHAT_VIEW_ID;
  private view: vscode.WebviewView | undefined;
  private webviewReady = false;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Messages dropped because they failed validation (tests read it). */
  droppedMessages = 0;
  /** Messages of each type the webview has acknowledged receiving (postMessage resolved true). */
  readonly delivered = new Map<HostToWebview["type"], number>();

  constructor(
    private readonly ctx: Ctx,
    private readonly modelStatus: ModelStatus,
    private readonly chat: ChatController,
  ) {
    this.subscriptions.push(modelStatus.onDidChange(() => this.postEngineState()));
    chat.attach({ post: (message) => this.post(message) });
  }

  /** True once a webview has been resolved and has completed the ready handshake. */
  get isReady(): boolean {
    return this.view !== undefined && this.webviewReady;
  }

  resolveWebviewView(webviewView: vscode.WebviewView): void {
    this.view = webviewView;
    this.webviewReady = false;
    const webview = webviewView.webview;
    const distRoot = vscode.Uri.joinPath(this.ctx.extensionUri, "dist", "webview");
    const mediaRoot = vscode.Uri.joinPath(this.ctx.extensionUri, "media");
    webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [distRoot, mediaRoot] };
    webview.html = this.html(webview, distRoot, mediaRoot);
    const messageSubscription = webview.onDidReceiveMessage((message: unknown) => this.onMessage(message));
    // Hidden without retainContextWhenHidden, the webview's document is destroyed; it says `ready` again when shown.
    const visibilitySubscription = webviewView.onDidChangeVisibility(() => {
      if (!webviewView.visible && this.view === webviewView) this.webviewReady = false;
    });
    webviewView.onDidDispose(() => {
      messageSubscription.dispose();
      visibilitySubscription.dispose();
      if (this.view === webviewView) {
        this.view = undefined;
        this.webviewReady = false;
      }
    });
  }

  private onMessage(raw: unknown): void {
    const message = parseWebviewToHost(raw);
    if (!message) {
      // Never echo the payload: it may contain user text.
      this.droppedMessages++;
      this.ctx.log.warn(`Chat view: dropped a malformed message (${describeShape(raw)})`);
      // A message the view meant to send never silently vanishes (e.g. one over the size limit sent around the UI).
      if (messageType(raw) === "send") {
        this.post({ type: "notice", level: "error", text: vscode.l10n.t("The message was not sent: it is too long or malformed.") });
      }
      return;
    }
    this.handle(message).catch((error: unknown) => {
      this.ctx.log.error(`Chat view: handling "${message.type}" failed`, error instanceof Error ? error : String(error));
    });
  }

  private async handle(message: WebviewToHost): Promise<void> {
    switch (message.type) {
      case "ready":
        this.webviewReady = true;
        this.postEngineState();
        this.chat.resync();
        return;
      case "selectModel":
        await vscode.commands.executeCommand(COMMANDS.selectModel);
        return;
      case "restartEngine":
        await vscode.commands.executeCommand(COMMANDS.restartEngine);
        return;
      case "showLogs":
        await vscode.commands.executeCommand(COMMANDS.showLogs);
        return;
      case "openLink":
        await openLink(message.href, this.ctx);
        return;
      default:
        await this.chat.handle(message);
    }
  }

  private postEngineState(): void {
    this.post({ type: "modelState", state: this.modelStatus.state });
  }

  private post(message: HostToWebview): void {
    if (!this.view || !this.webviewReady) return;
    this.view.webview.postMessage(message).then(
      (delivered) => {
        if (delivered) this.delivered.set(message.type, (this.delivered.get(message.type) ?? 0) + 1);
      },
      (error: unknown) => {
        this.ctx.log.debug(`Chat view: postMessage failed: ${String(error)}`);
      },
    );
  }

  private html(webview: vscode.Webview, distRoot: vscode.Uri, mediaRoot: vscode.Uri): string {
    // chat.css beside chat.js is esbuild's output for the CSS the script imports (codicons, highlight theme).
    return webviewPageHtml(webview, distRoot, mediaRoot, {
      bundle: "chat",
      stylesheet: "chat.css",
      title: vscode.l10n.t("Private Coder Chat"),
      bundledStyleId: "vscode-codicon-stylesheet",
      beforeScript: (nonce) => chatStringsElement(nonce),
    });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.chat.attach(undefined);
    this.view = undefined;
  }
}

/** Opens a link from a chat message: only http(s), only after the user clicked it (the view sends this on click). */
export async function openLink(href: string, ctx: Ctx): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    ctx.log.warn("Chat: ignored a link that is not a valid URL");
    return false;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    ctx.log.warn(`Chat: ignored a ${url.protocol} link (only http and https open)`);
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(url.toString(), true));
}

/** A log-safe description of an unexpected message: its shape, never its content. */
/** The `type` of a message that failed validation, if it can be read without throwing. */
function messageType(value: unknown): unknown {
  try {
    return typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
  } catch {
    return undefined;
  }
}

function describeShape(value: unknown): string {
  if (value === null || typeof value !== "object") return typeof value;
  let type: unknown;
  let keys = 0;
  try {
    type = (value as { type?: unknown }).type;
    keys = Object.keys(value).length;
  } catch {
    return "unreadable object";
  }
  return `type=${typeof type === "string" ? JSON.stringify(type.slice(0, 40)) : typeof type}, keys=${keys}`;
}
