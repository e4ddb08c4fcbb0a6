import * as vscode from "vscode";
import { configuredModel } from "./models/modelLabels.ts";
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
      if (keys.has("chat.modelPath") || keys.has("completion.modelPath") || keys.has("chat.backend") || keys.has("remote.chatModel") || keys.has("remote.endpoints")) this.reset();
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
    if (this.ctx.config.get("chat.backend") === "remote") {
      // A remote chat model: its server's name of it, else the first server's host (the model it lists first).
      const endpoint = this.ctx.config.get("remote.endpoints")[0];
      const name = this.ctx.config.get("remote.chatModel").split(/[\\/]/).pop() || (endpoint ? endpoint.replace(/^[a-z]+:\/\//i, "") : "");
      return name ? { kind: "idle", modelName: name } : { kind: "noModel" };
    }
    const model = configuredModel(this.ctx.extensionContext.globalState, this.ctx.config.chatModelPath);
    return model ? { kind: "idle", modelName: model.label } : { kind: "noModel" };
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.emitter.dispose();
  }
}
