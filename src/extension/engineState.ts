import * as vscode from "vscode";
import { modelRefFromSetting } from "../core/backend";
import type { EngineViewState } from "../core/chatProtocol";
import type { Ctx } from "./ctx";

/**
 * The engine's state as the UI shows it (status bar, chat view). The engine client feeds it; until a model path is
 * configured it says "no model", so every surface can offer Select Model instead of failing later.
 */
export class EngineStateModel implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<EngineViewState>();
  readonly onDidChange = this.emitter.event;
  private current: EngineViewState;
  private readonly configSubscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.current = this.fromConfig();
    this.configSubscription = ctx.config.onDidChange((keys) => {
      if (keys.has("chat.modelPath") || keys.has("completion.modelPath")) this.reset();
    });
  }

  get state(): EngineViewState {
    return this.current;
  }

  /** Back to what the settings say (no model, or a model that loads on first use). */
  reset(): void {
    this.set(this.fromConfig());
  }

  set(state: EngineViewState): void {
    this.current = state;
    this.emitter.fire(state);
  }

  private fromConfig(): EngineViewState {
    const model = modelRefFromSetting(this.ctx.config.chatModelPath);
    return model ? { kind: "idle", modelName: model.label } : { kind: "noModel" };
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.emitter.dispose();
  }
}
