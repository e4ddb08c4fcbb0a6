import * as vscode from "vscode";
import { SETTINGS_SECTION, checkSetting, settingId, type SettingKey, type SettingProblem, type SettingValue } from "../core/settings.ts";

/** A value from the user's settings that was ignored (the default was used instead), and why. */
export interface IgnoredSetting {
  readonly key: SettingKey;
  readonly value: unknown;
  readonly problem: SettingProblem;
}

/**
 * Typed, validated view of the `privateCoder.*` settings. Reads are live (no caching), so a getter always returns
 * what the user has now; `onDidChange` tells listeners which keys changed. A value that does not fit its setting
 * is replaced by the default and reported once (per setting and value) through `onDidIgnoreValue`, so a typo in
 * settings.json is never silently ignored.
 */
export class Config implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ReadonlySet<SettingKey>>();
  /** Fires with the keys whose effective value may have changed. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private readonly ignoredEmitter = new vscode.EventEmitter<IgnoredSetting>();
  /** Fires once per setting and ignored value. */
  readonly onDidIgnoreValue = this.ignoredEmitter.event;
  private readonly reported = new Set<string>();

  constructor(private readonly keys: readonly SettingKey[]) {
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
      const changed = new Set(this.keys.filter((key) => event.affectsConfiguration(settingId(key))));
      if (changed.size > 0) this.changeEmitter.fire(changed);
    });
  }

  get<K extends SettingKey>(key: K, scope?: vscode.ConfigurationScope): SettingValue<K> {
    const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope).get<unknown>(key);
    const checked = checkSetting(key, raw);
    if (checked.problem) this.reportIgnored(key, raw, checked.problem);
    return checked.value;
  }

  /** Reads every setting once, so ignored values are reported at startup rather than when first used. */
  validateAll(): void {
    for (const key of this.keys) this.get(key);
  }

  private reportIgnored(key: SettingKey, value: unknown, problem: SettingProblem): void {
    let identity: string;
    try {
      identity = `${key}=${JSON.stringify(value)}`;
    } catch {
      identity = `${key}=${String(value)}`;
    }
    if (this.reported.has(identity)) return;
    this.reported.add(identity);
    this.ignoredEmitter.fire({ key, value, problem });
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
    this.ignoredEmitter.dispose();
  }
}
