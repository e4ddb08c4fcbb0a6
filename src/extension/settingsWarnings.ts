import * as vscode from "vscode";
import { SETTINGS, settingId, type SettingProblem } from "../core/settings.ts";
import type { IgnoredSetting } from "./config.ts";
import type { Ctx } from "./ctx.ts";

/**
 * Tells the user, once per setting and value, that a `privateCoder.*` value in their settings was ignored and why,
 * with a button to the setting, instead of silently running with the default.
 */
export function reportIgnoredSettings(ctx: Ctx): vscode.Disposable {
  return ctx.config.onDidIgnoreValue((ignored) => {
    const id = settingId(ignored.key);
    ctx.log.warn(`Setting ${id} = ${shown(ignored.value)} ignored (${ignored.problem.kind}); using the default ${shown(SETTINGS[ignored.key].default)}`);
    const openSettings = vscode.l10n.t("Open Settings");
    void vscode.window.showWarningMessage(describeIgnoredSetting(ignored), openSettings).then((choice) => {
      if (choice === openSettings) void vscode.commands.executeCommand("workbench.action.openSettings", id);
    });
  });
}

export function describeIgnoredSetting(ignored: IgnoredSetting): string {
  const id = settingId(ignored.key);
  const fallback = shown(SETTINGS[ignored.key].default);
  return vscode.l10n.t("Private Coder: {0} = {1} is ignored: {2}. The default {3} is used instead.", id, shown(ignored.value), why(ignored.problem), fallback);
}

function why(problem: SettingProblem): string {
  switch (problem.kind) {
    case "wrongType":
      switch (problem.expected) {
        case "boolean":
          return vscode.l10n.t("it must be true or false");
        case "integer":
          return vscode.l10n.t("it must be a whole number");
        case "string":
          return vscode.l10n.t("it must be a text");
        case "string array":
          return vscode.l10n.t("it must be a list of texts");
      }
      break;
    case "outOfRange":
      return vscode.l10n.t("it must be between {0} and {1}", String(problem.minimum ?? "-∞"), String(problem.maximum ?? "∞"));
    case "notAllowed":
      return vscode.l10n.t("it must be one of {0}", problem.allowed.map((v) => `"${v}"`).join(", "));
  }
}

function shown(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return String(value);
  }
}
