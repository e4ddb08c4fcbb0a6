import * as vscode from "vscode";
import { modelRefFromSetting } from "../core/backend/index.ts";
import type { ModelViewState } from "../core/chatProtocol.ts";
import type { Ctx } from "./ctx.ts";

/**
 * The chat model's state as every view shows it (status bar, chat view): no model, loading, ready, failed, crashed.
 * The backend registry feeds it; until a model is configured it says "no model", so every surface can offer Select
 * Model instead of failing later.
 */
export class ModelStatus implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ModelViewState>();
  readonly onDidChange = this.emitter.event;
  private current: ModelViewState;
  private readonly configSubscription: vscode.Disposable;

  constructor(private readonly ctx: Ctx) {
    this.current = this.fromConfig();
    this.configSubscription = ctx.config.onDidChange((keys) => {
      if (keys.has("chat.modelPath") || keys.has("completion.modelPath")) this.reset();
    });
  }

  get state(): ModelViewState {
    return this.current;
  }

  /** Back to what the settings say (no model, or a model that loads on first use). */
  reset(): void {
    this.set(this.fromConfig());
  }

  set(state: ModelViewState): void {
    this.current = state;
    this.emitter.fire(state);
  }

  private fromConfig(): ModelViewState {
    const model = modelRefFromSetting(this.ctx.config.chatModelPath);
    return model ? { kind: "idle", modelName: model.label } : { kind: "noModel" };
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.emitter.dispose();
  }
}
