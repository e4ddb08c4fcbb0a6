import * as vscode from "vscode";
import { COMMANDS } from "../core/commandIds";
import type { Ctx } from "./ctx";
import type { EngineService } from "./engine";

/**
 * "Show Engine Status": loads the configured model(s) if needed and reports backend, threads (and whether they
 * were measured, remembered or set), context, memory and versions, so a user can see what the engine is doing.
 */
export async function showEngineStatus(ctx: Ctx, engine: EngineService): Promise<void> {
  const status = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: "Private Coder: starting the engine…", cancellable: true },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancel = token.onCancellationRequested(() => abort.abort());
      try {
        const roles = new Set<"completion" | "chat">();
        if (ctx.config.completionModelPath) roles.add("completion");
        if (ctx.config.chatModelPath) roles.add("chat");
        for (const role of roles) await engine.ensureModel(role, abort.signal);
        return await engine.backend.status({ signal: abort.signal });
      } finally {
        cancel.dispose();
      }
    },
  );
  const info = engine.backend.engineInfo;
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
  const models = status.models.map(
    (m) => `${m.name} (${m.roles.join(" + ")}): ${m.threads} threads (${m.threadsSource}), context ${m.contextSize}, ${m.state}`,
  );
  ctx.log.info(`Engine status: ${JSON.stringify({ ...status, versions: info?.versions, gpuFallbackReason: info?.gpuFallbackReason })}`);
  const summary = [
    `Backend ${status.backend ?? "not started"}${info?.gpuFallbackReason ? ` (GPU unavailable: ${info.gpuFallbackReason})` : ""}`,
    models.length > 0 ? models.join("; ") : "no model loaded",
    `memory ${mib(status.memory.rss)} (process)`,
    info ? `node-llama-cpp ${info.versions.nodeLlamaCpp}, llama.cpp ${info.versions.llamaCpp}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  const choice = await vscode.window.showInformationMessage(`Private Coder engine: ${summary}`, "Open Logs");
  if (choice) await vscode.commands.executeCommand(COMMANDS.showLogs);
}
