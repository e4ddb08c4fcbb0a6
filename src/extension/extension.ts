import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import { SETTINGS, type SettingKey } from "../core/settings.ts";
import { ChatController } from "./chat/chatController.ts";
import { registerChatActions } from "./chat/chatActions.ts";
import { explainSelection } from "./chat/explain.ts";
import { CompletionService } from "./completion/service.ts";
import { ChatViewProvider } from "./chatView.ts";
import { registerCommands } from "./commands.ts";
import { Config } from "./config.ts";
import { reportIgnoredSettings } from "./settingsWarnings.ts";
import { Ctx } from "./ctx.ts";
import { BackendRegistry } from "./backendRegistry.ts";
import { ModelStatus } from "./modelStatus.ts";
import { showEngineStatus } from "./engineStatus.ts";
import { SafetyService, registerModelSeesView } from "./safety.ts";
import { StatusBar } from "./statusBar.ts";

/** What `activate` returns: a small surface for the integration tests, not a public API. */
export interface PrivateCoderApi {
  readonly ctx: Ctx;
  readonly chatView: ChatViewProvider;
  readonly chat: ChatController;
  readonly completion: CompletionService;
  readonly backends: BackendRegistry;
  readonly modelStatus: ModelStatus;
  readonly safety: SafetyService;
}

let activeCtx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): PrivateCoderApi {
  const log = vscode.window.createOutputChannel("Private Coder", { log: true });
  try {
    const config = new Config(Object.keys(SETTINGS) as SettingKey[]);
    const ctx = new Ctx(context, config, log);
    activeCtx = ctx;
    ctx.track(reportIgnoredSettings(ctx));
    config.validateAll();
    const modelStatus = ctx.track(new ModelStatus(ctx));
    ctx.track(new StatusBar(ctx, modelStatus));
    const safety = ctx.track(new SafetyService(ctx));
    const showWhatTheModelSees = registerModelSeesView(ctx, safety);
    const backends = ctx.track(new BackendRegistry(ctx, modelStatus));
    const chat = ctx.track(new ChatController(ctx, backends, safety));
    const chatView = ctx.track(new ChatViewProvider(ctx, modelStatus, chat));
    const completion = ctx.track(new CompletionService(ctx, backends, modelStatus, safety));
    ctx.track(vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chatView));
    ctx.track(registerChatActions(chat));
    registerCommands(ctx, {
      restartEngine: () => backends.restart(),
      showEngineStatus: () => showEngineStatus(ctx, backends),
      showWhatTheModelSees,
      explainSelection: () => explainSelection(chat, ctx.config),
    });
    offerFirstRunModelChoice(ctx);
    log.info(`Private Coder ${String((context.extension.packageJSON as { version?: unknown }).version)} activated (${vscode.env.appName} ${vscode.version}, ${vscode.env.appHost})`);
    return { ctx, chatView, chat, completion, backends, modelStatus, safety };
  } catch (error) {
    // Activation errors reach the user, not just the developer console.
    const message = error instanceof Error ? error.message : String(error);
    log.error(`Activation failed: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder failed to start: {0}", message), vscode.l10n.t("Open Logs")).then((choice) => {
      if (choice) log.show();
    });
    throw error;
  }
}

/**
 * The first time Private Coder starts without a model, say what it needs once (the chat view and the status bar
 * keep offering Select Model afterwards, so this never nags).
 */
function offerFirstRunModelChoice(ctx: Ctx): void {
  const key = "privateCoder.firstRunModelPromptShown";
  if (ctx.config.chatModelPath || ctx.extensionContext.globalState.get<boolean>(key)) return;
  void ctx.extensionContext.globalState.update(key, true);
  void vscode.window
    .showInformationMessage(vscode.l10n.t("Private Coder runs a GGUF model on this machine: nothing you type leaves it. Choose a model to start."), vscode.l10n.t("Select Model…"))
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand(COMMANDS.selectModel);
    });
}

/** VS Code awaits this: the engine child is shut down (gracefully, then killed) before the host goes away. */
export async function deactivate(): Promise<void> {
  const ctx = activeCtx;
  activeCtx = undefined;
  await ctx?.dispose();
}
