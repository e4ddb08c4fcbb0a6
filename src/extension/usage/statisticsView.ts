/**
 * The statistics dashboard: a webview panel the host fills with numbers it aggregates itself (the page only
 * draws), so a 100,000-line log opens in well under a second. Range, export (CSV / JSON, through a save dialog) and
 * clear come back as messages, each validated first.
 */
import { writeFile } from "node:fs/promises";
import * as vscode from "vscode";
import { rangeStart, summarize, type UsageRange, type UsageSummary } from "../../core/usage/aggregate.ts";
import { usageCsv, usageJson } from "../../core/usage/export.ts";
import type { UsageLogLines } from "../../core/usage/reader.ts";
import { parseStatisticsMessage, type StatisticsHostMessage } from "../../core/usage/statisticsProtocol.ts";
import { STATISTICS_STRINGS_ELEMENT_ID } from "../../core/usage/statisticsStrings.ts";
import { EventEmitter } from "../../core/events.ts";
import type { Ctx } from "../ctx.ts";
import { webviewPageHtml } from "../webviewPage.ts";
import { localizedStatisticsStrings } from "./statisticsStrings.ts";
import type { UsageService } from "./usageService.ts";

export interface StatisticsRender {
  /** Milliseconds from the page's start to its charts drawn. */
  readonly pageMs: number;
  /** Milliseconds the host took to read and aggregate the log for it. */
  readonly hostMs: number;
  readonly charts: number;
  readonly summary: UsageSummary;
}

/** Asks before deleting the log; true when it was deleted. */
export async function confirmClearUsage(usage: Pick<UsageService, "clear">): Promise<boolean> {
  const yes = vscode.l10n.t("Clear");
  const choice = await vscode.window.showWarningMessage(vscode.l10n.t("Delete the usage log? The statistics start again from nothing."), { modal: true }, yes);
  if (choice !== yes) return false;
  await usage.clear();
  return true;
}

export class StatisticsView implements vscode.Disposable {
  static readonly viewType = "privateCoder.statistics";
  private panel: vscode.WebviewPanel | undefined;
  private range: UsageRange = "7d";
  /** The log as read when the dashboard opened (parsed range by range). */
  private log: UsageLogLines | undefined;
  private last: { summary: UsageSummary; hostMs: number; hostCpuMs: number } | undefined;
  /** The first summary, computed while the page loads (the host reads the log in parallel with the page's start). */
  private early: Promise<void> | undefined;
  private readonly renders = new EventEmitter<StatisticsRender>();
  /** The page drew its charts (the first time after it opened). */
  readonly onDidRender = this.renders.event;
  /** The summary last sent to the page. */
  get lastSummary(): UsageSummary | undefined {
    return this.last?.summary;
  }

  constructor(
    private readonly ctx: Ctx,
    private readonly usage: UsageService,
  ) {}

  /** Opens the dashboard (or brings it to the front) with the log as it is now. */
  async show(): Promise<void> {
    this.log = undefined;
    if (this.panel) {
      this.panel.reveal();
      await this.refresh();
      return;
    }
    const dist = vscode.Uri.joinPath(this.ctx.extensionUri, "dist", "webview");
    const media = vscode.Uri.joinPath(this.ctx.extensionUri, "media");
    const panel = vscode.window.createWebviewPanel(StatisticsView.viewType, vscode.l10n.t("Private Coder Statistics"), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist, media],
    });
    this.panel = panel;
    this.early = this.summarize().then(
      () => undefined,
      (error: unknown) => this.ctx.log.error(`Statistics: the usage log could not be read: ${error instanceof Error ? error.message : String(error)}`),
    );
    panel.onDidDispose(() => (this.panel = undefined));
    panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw));
    panel.webview.html = this.html(panel.webview, dist, media);
  }

  private async onMessage(raw: unknown): Promise<void> {
    const message = parseStatisticsMessage(raw);
    if (!message) return;
    try {
      switch (message.type) {
        case "ready": {
          const early = this.early;
          this.early = undefined;
          if (!early) return await this.refresh();
          await early;
          if (this.last) this.post({ type: "summary", summary: this.last.summary, hostMs: this.last.hostMs, logging: this.usage.enabled });
          return;
        }
        case "range":
          this.range = message.range;
          return await this.refresh();
        case "export":
          return await this.export(message.format);
        case "clear":
          return await this.clear();
        case "rendered":
          if (!this.last) return;
          this.ctx.log.info(`Statistics: first render ${message.ms} ms in the page, ${this.last.hostMs} ms in the host (CPU ${this.last.hostCpuMs} ms; ${this.last.summary.records} records, ${message.charts} charts)`);
          this.renders.fire({ pageMs: message.ms, hostMs: this.last.hostMs, charts: message.charts, summary: this.last.summary });
          return;
      }
    } catch (error) {
      this.ctx.log.error(`Statistics: ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`);
      void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: the statistics could not be updated: {0}", error instanceof Error ? error.message : String(error)));
    }
  }

  /** Reads the log (once per opening) and sends the summary of the current range. */
  private async refresh(): Promise<void> {
    await this.summarize();
    if (this.last) this.post({ type: "summary", summary: this.last.summary, hostMs: this.last.hostMs, logging: this.usage.enabled });
  }

  /** Reads the log (once per opening) and summarizes the current range into `last`. */
  private async summarize(): Promise<void> {
    const started = performance.now();
    const cpu = process.cpuUsage();
    this.log ??= await this.usage.readLines();
    const now = Date.now();
    const selected = this.log.select(rangeStart(this.range, now));
    const summary = summarize(selected.records, this.range, now, selected.skipped);
    // CPU time too: on a busy machine the wall time says more about the neighbours than about this code.
    this.last = { summary, hostMs: Math.round(performance.now() - started), hostCpuMs: Math.round(process.cpuUsage(cpu).user / 1000) };
  }

  private async export(format: "csv" | "json"): Promise<void> {
    const log = (this.log ??= await this.usage.readLines());
    const now = Date.now();
    const selected = log.select(rangeStart(this.range, now));
    const records = selected.records.filter((r) => r.t <= now);
    const stamp = new Date().toISOString().slice(0, 10);
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t("Export Usage Statistics"),
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.usage.dir), `private-coder-usage-${stamp}.${format}`),
      filters: format === "csv" ? { CSV: ["csv"] } : { JSON: ["json"] },
    });
    if (!target) return;
    const text = format === "csv" ? usageCsv(records) : usageJson(summarize(selected.records, this.range, now, selected.skipped), records);
    if (target.scheme === "file") await writeFile(target.fsPath, text, "utf8");
    else await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    this.ctx.log.info(`Statistics: exported ${records.length} records as ${format}`);
    vscode.window.setStatusBarMessage(vscode.l10n.t("Private Coder: exported {0} requests", records.length), 4000);
  }

  private async clear(): Promise<void> {
    if (!(await confirmClearUsage(this.usage))) return;
    this.log = undefined;
    await this.refresh();
  }

  private post(message: StatisticsHostMessage): void {
    void this.panel?.webview.postMessage(message).then(undefined, (error: unknown) => this.ctx.log.debug(`Statistics: postMessage failed: ${String(error)}`));
  }

  private html(webview: vscode.Webview, dist: vscode.Uri, media: vscode.Uri): string {
    // statistics.css beside the script is esbuild's output for the CSS it imports (uPlot's own stylesheet).
    const strings = JSON.stringify(localizedStatisticsStrings()).replace(/</g, "\\u003c");
    return webviewPageHtml(webview, dist, media, {
      bundle: "statistics",
      stylesheet: "statistics.css",
      title: vscode.l10n.t("Private Coder Statistics"),
      beforeScript: (nonce) => `<script type="application/json" id="${STATISTICS_STRINGS_ELEMENT_ID}" nonce="${nonce}">${strings}</script>`,
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.renders.dispose();
  }
}
