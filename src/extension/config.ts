import * as vscode from "vscode";
import { SETTINGS_SECTION, coerceSetting, settingId, type SettingKey, type SettingValue } from "../core/settings.ts";

/**
 * Typed, validated view of the `privateCoder.*` settings. Reads are live (no caching), so a getter always returns
 * what the user has now; `onDidChange` tells listeners which keys changed.
 */
export class Config implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ReadonlySet<SettingKey>>();
  /** Fires with the keys whose effective value may have changed. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly keys: readonly SettingKey[]) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
      const changed = new Set(this.keys.filter((key) => event.affectsConfiguration(settingId(key))));
      if (changed.size > 0) this.changeEmitter.fire(changed);
    });
  }

  get<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
    const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<unknown>(key);
    return coerceSetting(key, raw);
  }

  /** Writes a setting at user (global) level, where model paths and toggles belong. */
  async update<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void> {
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  get completionModelPath(): string {
    return this.get("completion.modelPath") || this.get("chat.modelPath");
  }
  get chatModelPath(): string {
    return this.get("chat.modelPath") || this.get("completion.modelPath");
  }
  get completionEnabled(): boolean {
    return this.get("completion.enabled");
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
