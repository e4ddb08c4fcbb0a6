/**
 * The usage log in the host: completion outcomes (from `CompletionPipeline.onOutcome`) and chat/Explain answers
 * (from `ChatController.onDidAnswer`) become records that a batched writer appends to
 * `<globalStorage>/usage/usage.jsonl`. `usage.enabled` turns it off (nothing is recorded, nothing written);
 * `usage.maxSizeMB` caps it; Clear Usage Log deletes it. Each record is also an `onDidRecord` event (the status bar
 * shows the last tokens/s from it; the tests observe it).
 */
import path from "node:path";
import type * as vscode from "vscode";
import type { ModelRole } from "../../core/backend/modelRef.ts";
import type { CompletionOutcome } from "../../core/completion/outcome.ts";
import type { Event } from "../../core/events.ts";
import { EventEmitter } from "../../core/events.ts";
import { ACCEPT_GRACE_MS, CompletionRecorder, type ServedBy } from "../../core/usage/completionRecords.ts";
import { chatRecord, type ChatAnswerFacts } from "../../core/usage/chatRecords.ts";
import { UsageLogLines, type ParsedUsageLog } from "../../core/usage/reader.ts";
import { safeLabel, type UsageRecord } from "../../core/usage/record.ts";
import { UsageLogWriter } from "../../core/usage/writer.ts";
import type { Ctx } from "../ctx.ts";
import { nodeUsageFiles, readUsageTexts } from "./usageFiles.ts";

/** What the usage log needs of the rest of the host. */
export interface UsageSources {
  readonly completionOutcomes: Event<CompletionOutcome>;
  readonly chatAnswers: Event<ChatAnswerFacts>;
  /** The model a role uses now (its label and whether it is remote). */
  modelFor(role: ModelRole): { readonly label: string; readonly source: string } | undefined;
}

export class UsageService implements vscode.Disposable {
  /** Where the log lives (`usage.jsonl` and the older `usage.1.jsonl`). */
  readonly dir: string;
  private readonly writer: UsageLogWriter;
  private readonly recorder: CompletionRecorder;
  private readonly records = new EventEmitter<UsageRecord>();
  /** Every record as it is made (before it reaches the disk). */
  readonly onDidRecord = this.records.event;
  private readonly subscriptions: { dispose(): void }[] = [];
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private lastWriteError = 0;

  constructor(
    private readonly ctx: Ctx,
    sources: UsageSources,
  ) {
    this.dir = path.join(ctx.extensionContext.globalStorageUri.fsPath, "usage");
    this.writer = new UsageLogWriter({
      files: nodeUsageFiles(this.dir),
      maxBytes: () => ctx.config.get("usage.maxSizeMB") * 1024 * 1024,
      onError: (error) => this.writeFailed(error),
    });
    const servedBy = (role: ModelRole): ServedBy => {
      const ref = sources.modelFor(role);
      const model = safeLabel(ref?.label);
      return { backend: ref?.source === "remote" ? "remote" : "local", ...(model !== undefined ? { model } : {}) };
    };
    this.recorder = new CompletionRecorder((record) => this.record(record), () => servedBy("completion"));
    this.subscriptions.push(
      sources.completionOutcomes((outcome) => {
        if (!this.enabled) return;
        this.recorder.observe(outcome);
        this.scheduleGrace();
      }),
      sources.chatAnswers((facts) => {
        if (this.enabled) this.record(chatRecord(facts, servedBy("chat"), Date.now()));
      }),
      ctx.config.onDidChange((keys) => {
        if (keys.has("usage.enabled") && !this.enabled) {
          // Turned off: what is held is written (it happened while the log was on), nothing after.
          this.recorder.drain();
          void this.writer.flush();
        }
      }),
    );
  }

  get enabled(): boolean {
    return this.ctx.config.get("usage.enabled");
  }

  /** Writes what is queued (not a suggestion whose fate is still open). */
  flush(): Promise<void> {
    this.recorder.tick();
    return this.writer.flush();
  }

  /** The whole log, read back (after a flush). */
  async read(): Promise<ParsedUsageLog> {
    return (await this.readLines()).select(null);
  }

  /** The log's lines (after a flush), parsed when a range asks for them. */
  async readLines(): Promise<UsageLogLines> {
    await this.flush();
    return new UsageLogLines(await readUsageTexts(this.dir));
  }

  /** Deletes the log, and forgets what was held for it. */
  async clear(): Promise<void> {
    this.recorder.forget();
    await this.writer.clear();
    this.ctx.log.info("Usage log cleared");
  }

  private record(record: UsageRecord): void {
    this.writer.write(record);
    this.records.fire(record);
  }

  /** A dismissed suggestion is written once its grace has passed, even if no request follows. */
  private scheduleGrace(): void {
    if (!this.recorder.settlingSoon || this.graceTimer !== undefined) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = undefined;
      this.recorder.tick();
      this.scheduleGrace();
    }, ACCEPT_GRACE_MS + 50);
  }

  private writeFailed(error: unknown): void {
    // Once a minute at most: a full disk must not flood the log either.
    if (Date.now() - this.lastWriteError < 60_000) return;
    this.lastWriteError = Date.now();
    const code = (error as { code?: unknown } | null)?.code;
    this.ctx.log.warn(`Usage log: a batch could not be written (${typeof code === "string" ? code : "error"}); it was dropped`);
  }

  async dispose(): Promise<void> {
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    for (const s of this.subscriptions) s.dispose();
    if (this.enabled) this.recorder.drain();
    await this.writer.dispose();
    this.records.dispose();
  }
}
