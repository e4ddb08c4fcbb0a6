import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds.ts";
import type { Ctx } from "./ctx.ts";
import type { BackendRegistry } from "./backendRegistry.ts";
import { describeBackendStatus } from "./userMessages.ts";

/**
 * "Show Engine Status": loads the configured model(s) if needed and reports what each backend says of itself
 * (for the local engine: device, threads and whether they were measured, remembered or set, context, memory and
 * versions), so a user can see what runs their models.
 */
export async function showEngineStatus(ctx: Ctx, backends: BackendRegistry): Promise<void> {
  const status = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Private Coder: starting the engine…"), cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        return await backends.loadedStatus(abort.signal);
      } finally {
        cancel.dispose();
      }
    },
  );
  ctx.log.info(`Engine status: ${status.flatMap((s) => s.details).join("; ")}`);
  const summary = status.flatMap((s) => describeBackendStatus(s, vscode.l10n)).join(" · ");
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t("Private Coder engine: {0}", summary), vscode.l10n.t("Open Logs"));
  if (choice) await vscode.commands.executeCommand(COMMANDS.showLogs);
}
