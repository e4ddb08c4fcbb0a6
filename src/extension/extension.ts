import * as vscode from "vscode";
import { SETTINGS, type SettingKey } from "../core/settings.ts";
import { ChatController } from "./chat/chatController.ts";
import { registerChatActions } from "./chat/chatActions.ts";
import { explainSelection } from "./chat/explain.ts";
import { CompletionService } from "./completion/service.ts";
import { registerQuantizeCommand } from "./quantizeCommand.ts";
import { offerGpuOnce, registerGpuCommand } from "./gpu/enableGpuCommand.ts";
import { registerOptimizeEngine, scheduleReverify } from "./optimizeEngine.ts";
import { ChatViewProvider } from "./chatView.ts";
import { registerCommands } from "./commands.ts";
import { Config } from "./config.ts";
import { reportIgnoredSettings } from "./settingsWarnings.ts";
import { Ctx } from "./ctx.ts";
import { BackendRegistry } from "./backendRegistry.ts";
import { ModelStatus } from "./modelStatus.ts";
import { showEngineStatus } from "./engineStatus.ts";
import { SafetyService, registerModelSeesView } from "./safety.ts";
import { restartEngineWithProgress } from "./restartEngine.ts";
import { StatusBar } from "./statusBar.ts";
import { showStatusMenu } from "./statusMenu.ts";
import { EventEmitter } from "../core/events.ts";
import { registerUsage, type UsageApi } from "./usage/index.ts";
import { registerRemoteCommands } from "./remote/remoteCommands.ts";
import { offerFirstRunModelChoice, registerModels } from "./models/index.ts";
import type { ModelManager } from "./models/modelManager.ts";

/** What `activate` returns: a small surface for the integration tests, not a public API. */
export interface PrivateCoderApi {
  readonly ctx: Ctx;
  readonly chatView: ChatViewProvider;
  readonly chat: ChatController;
  readonly completion: CompletionService;
  readonly backends: BackendRegistry;
  readonly modelStatus: ModelStatus;
  readonly safety: SafetyService;
  readonly statusBar: StatusBar;
  /** The usage log: each request's record as it is made (`onDidRecord`), and the statistics dashboard. */
  readonly usage: UsageApi;
  readonly models: ModelManager;
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
    const safety = ctx.track(new SafetyService(ctx));
    const showWhatTheModelSees = registerModelSeesView(ctx, safety);
    const backends = ctx.track(new BackendRegistry(ctx, modelStatus));
    const chat = ctx.track(new ChatController(ctx, backends, safety));
    const chatView = ctx.track(new ChatViewProvider(ctx, modelStatus, chat));
    const completion = ctx.track(new CompletionService(ctx, backends, modelStatus, safety));
    ctx.track(vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chatView));
    // The last generation speed for the status bar, from completions and chat answers (whether or not the usage
    // log is on).
    const speed = new EventEmitter<number>();
    ctx.track(speed);
    ctx.track(
      completion.pipeline.onOutcome((outcome) => {
        const tokensPerSecond = outcome.source === "engine" && !outcome.prefetch ? outcome.metrics?.tokensPerSecond : undefined;
        if (tokensPerSecond) speed.fire(tokensPerSecond);
      }),
    );
    ctx.track(
      chat.onDidAnswer((answer) => {
        if (answer.metrics?.tokensPerSecond) speed.fire(answer.metrics.tokensPerSecond);
      }),
    );
    const statusBar = ctx.track(new StatusBar(ctx, modelStatus, {
        completion: completion.status,
        onSpeed: speed.event,
        location: (role) => backends.location(role),
        onDidChangeLocation: backends.remote.onDidChangeLocation,
        onDidChangeGenerating: chat.onDidChangeGenerating,
      }));
    const usage = registerUsage(ctx, { completion, chat, backends });
    const models = registerModels(ctx, backends);
    ctx.track(registerChatActions(chat));
    registerCommands(ctx, {
      restartEngine: () => restartEngineWithProgress(ctx, backends, statusBar),
      showMenu: () => showStatusMenu(ctx, modelStatus),
      showEngineStatus: () => showEngineStatus(ctx, backends),
      showWhatTheModelSees,
      explainSelection: () => explainSelection(chat, ctx.config),
      selectModel: () => models.selectModel(),
    });
    registerRemoteCommands(ctx, backends.remote);
    registerQuantizeCommand(ctx);
    const gpuDeps = {
      restartEngine: () => restartEngineWithProgress(ctx, backends, statusBar),
      stopEngine: () => backends.restart(),
      localEngineFacts: () => backends.localEngineFacts(),
    };
    registerGpuCommand(ctx, gpuDeps);
    // The first model ready on this machine's engine: a GPU found while it runs on the CPU is offered (once).
    const gpuOfferCheck = ctx.track(
      modelStatus.onDidChange((state) => {
        if (state.kind !== "ready") return;
        gpuOfferCheck.dispose();
        offerGpuOnce(ctx, gpuDeps).catch((error: unknown) => log.warn(`GPU offer check failed: ${error instanceof Error ? error.message : String(error)}`));
      }),
    );
    registerOptimizeEngine(ctx, backends);
    scheduleReverify(ctx, backends, modelStatus.onDidChange, () => modelStatus.state.kind === "ready");
    offerFirstRunModelChoice(ctx, models.manager).catch((error: unknown) => log.error(`First-run prompt failed: ${error instanceof Error ? error.message : String(error)}`));
    log.info(`Private Coder ${String((context.extension.packageJSON as { version?: unknown }).version)} activated (${vscode.env.appName} ${vscode.version}, ${vscode.env.appHost})`);
    return { ctx, chatView, chat, completion, backends, modelStatus, safety, statusBar, usage, models: models.manager };
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

/** VS Code awaits this: the engine child is shut down (gracefully, then killed) before the host goes away. */
export async function deactivate(): Promise<void> {
  const ctx = activeCtx;
  activeCtx = undefined;
  await ctx?.dispose();
}
