/**
 * Wires the usage log and the statistics dashboard into the host: one call from `activate`. Returns the piece of
 * the extension API the status bar and the tests use.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../core/commandIds.ts";
import type { Event } from "../../core/events.ts";
import type { ParsedUsageLog } from "../../core/usage/reader.ts";
import type { UsageRecord } from "../../core/usage/record.ts";
import type { BackendRegistry } from "../backendRegistry.ts";
import type { ChatController } from "../chat/chatController.ts";
import type { CompletionService } from "../completion/service.ts";
import type { Ctx } from "../ctx.ts";
import { StatisticsView, confirmClearUsage, type StatisticsRender } from "./statisticsView.ts";
import { UsageService } from "./usageService.ts";

/** `PrivateCoderApi.usage`. */
export interface UsageApi {
  /** Each record as it is made (completion, prefetch, chat, Explain); `tokensPerSecond` is the generation speed. */
  readonly onDidRecord: Event<UsageRecord>;
  /** The folder of `usage.jsonl`. */
  readonly dir: string;
  /** `usage.enabled`. */
  readonly enabled: boolean;
  flush(): Promise<void>;
  read(): Promise<ParsedUsageLog>;
  clear(): Promise<void>;
  /** The statistics page drew its charts. */
  readonly onDidRenderStatistics: Event<StatisticsRender>;
  showStatistics(): Promise<void>;
}

export function registerUsage(ctx: Ctx, features: { completion: CompletionService; chat: ChatController; backends: BackendRegistry }): UsageApi {
  const usage = ctx.track(
    new UsageService(ctx, {
      completionOutcomes: features.completion.pipeline.onOutcome,
      chatAnswers: features.chat.onDidAnswer,
      modelFor: (role) => features.backends.modelFor(role),
    }),
  );
  const view = ctx.track(new StatisticsView(ctx, usage));
  const run = (id: string, action: () => Promise<void>) =>
    ctx.track(
      vscode.commands.registerCommand(id, async () => {
        try {
          await action();
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          ctx.log.error(`Command ${id} failed: ${message}`);
          void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", message));
        }
      }),
    );
  run(COMMANDS.showStatistics, () => view.show());
  run(COMMANDS.clearUsageLog, async () => void (await confirmClearUsage(usage)));
  return {
    onDidRecord: usage.onDidRecord,
    dir: usage.dir,
    get enabled() {
      return usage.enabled;
    },
    flush: () => usage.flush(),
    read: () => usage.read(),
    clear: () => usage.clear(),
    onDidRenderStatistics: view.onDidRender,
    showStatistics: () => view.show(),
  };
}
