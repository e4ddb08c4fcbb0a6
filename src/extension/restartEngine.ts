import * as vscode from "vscode";
import { MODEL_ROLES } from "../core/backend/index.ts";
import type { BackendRegistry } from "./backendRegistry.ts";
import type { Ctx } from "./ctx.ts";
import type { StatusBar } from "./statusBar.ts";

/**
 * "Restart Engine" with visible progress: a notification and the status-bar item say what happens (stopping, then
 * loading each configured model) until the engine is back, so a click never looks like nothing happened. The models
 * are loaded again at once rather than on first use: whoever restarts wants a working engine, not a later wait.
 */
export async function restartEngineWithProgress(ctx: Ctx, backends: BackendRegistry, statusBar: StatusBar): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Private Coder: restarting the engine") }, async (progress) => {
    try {
      statusBar.setBusy(vscode.l10n.t("restarting…"));
      progress.report({ message: vscode.l10n.t("stopping the engine…") });
      await backends.restart();
      const roles = MODEL_ROLES.filter((role) => backends.modelFor(role) !== undefined && (role !== "completion" || ctx.config.completionEnabled));
      for (const [index, role] of roles.entries()) {
        const model = backends.modelFor(role);
        if (!model) continue;
        statusBar.setBusy(undefined); // the item shows the model's loading state from here
        progress.report({ message: vscode.l10n.t("loading {0}…", model.label), increment: index === 0 ? 10 : 45 });
        await backends.ensureModel(role);
      }
    } finally {
      statusBar.setBusy(undefined);
    }
  });
  ctx.log.info("Restart Engine: done.");
  vscode.window.setStatusBarMessage(vscode.l10n.t("Private Coder: engine restarted"), 3000);
}
