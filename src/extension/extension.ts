import * as vscode from "vscode";
import { SETTINGS, type SettingKey } from "../core/settings";
import { ChatViewProvider } from "./chatView";
import { registerCommands } from "./commands";
import { Config } from "./config";
import { Ctx } from "./ctx";
import { EngineStateModel } from "./engineState";
import { StatusBar } from "./statusBar";

/** What `activate` returns: a small surface for the integration tests, not a public API. */
export interface PrivateCoderApi {
  readonly ctx: Ctx;
  readonly chatView: ChatViewProvider;
}

let activeCtx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): PrivateCoderApi {
  const log = vscode.window.createOutputChannel("Private Coder", { log: true });
  try {
    const config = new Config(Object.keys(SETTINGS) as SettingKey[]);
    const ctx = new Ctx(context, config, log);
    activeCtx = ctx;
    const engineState = ctx.track(new EngineStateModel(ctx));
    ctx.track(new StatusBar(ctx, engineState));
    const chatView = ctx.track(new ChatViewProvider(ctx, engineState));
    ctx.track(vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chatView));
    registerCommands(ctx, {
      restartEngine: () => {
        log.info("Restart requested; the inference engine is not wired yet.");
        return Promise.resolve();
      },
    });
    log.info(`Private Coder ${String((context.extension.packageJSON as { version?: unknown }).version)} activated (${vscode.env.appName} ${vscode.version}, ${vscode.env.appHost})`);
    return { ctx, chatView };
  } catch (error) {
    // Activation errors reach the user, not just the developer console.
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Activation failed: ${message}`);
    void vscode.window.showErrorMessage(`Private Coder failed to start: ${message}`, "Open Logs").then((choice) => {
      if (choice) log.show();
    });
    throw error;
  }
}

export function deactivate(): void {
  activeCtx?.dispose();
  activeCtx = undefined;
}
