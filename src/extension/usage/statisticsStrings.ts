import * as vscode from "vscode";
import type { StatisticsStrings } from "../../core/usage/statisticsStrings.ts";

/** The statistics page's strings in the display language (keys and English in src/core/usage/statisticsStrings.ts). */
export function localizedStatisticsStrings(): StatisticsStrings {
  return {
    title: vscode.l10n.t("Private Coder Statistics"),
    today: vscode.l10n.t("Today"),
    days7: vscode.l10n.t("7 days"),
    days30: vscode.l10n.t("30 days"),
    all: vscode.l10n.t("All"),
    exportCsv: vscode.l10n.t("Export CSV"),
    exportJson: vscode.l10n.t("Export JSON"),
    clear: vscode.l10n.t("Clear Log"),
    empty: vscode.l10n.t("No requests in this range yet. Completions, chat and Explain Selection are logged here as you use them."),
    loggingOff: vscode.l10n.t("The usage log is turned off (setting privateCoder.usage.enabled): nothing new is recorded."),
    requests: vscode.l10n.t("Requests"),
    acceptance: vscode.l10n.t("Completions accepted"),
    charsAccepted: vscode.l10n.t("Characters accepted"),
    completionLatency: vscode.l10n.t("Completion latency p50 / p95"),
    chatLatency: vscode.l10n.t("Chat latency p50 / p95"),
    kvReuse: vscode.l10n.t("KV cache reuse"),
    cacheHitRate: vscode.l10n.t("Completion cache hits"),
    redactions: vscode.l10n.t("Secrets redacted"),
    draftsConfirmed: vscode.l10n.t("Drafted tokens confirmed"),
    draftingSpeed: vscode.l10n.t("Generation tokens/s drafting / plain"),
    requestsPerDay: vscode.l10n.t("Requests per day"),
    acceptancePerDay: vscode.l10n.t("Completion acceptance per day"),
    acceptanceRate: vscode.l10n.t("Accepted %"),
    latencyHistogram: vscode.l10n.t("Latency: {0} (p50 {1}, p95 {2})"),
    speedOverTime: vscode.l10n.t("Speed over time"),
    prefill: vscode.l10n.t("Prompt processing tokens/s"),
    generation: vscode.l10n.t("Generation tokens/s"),
    completion: vscode.l10n.t("Completion"),
    prefetch: vscode.l10n.t("Prefetch"),
    chat: vscode.l10n.t("Chat"),
    explain: vscode.l10n.t("Explain"),
    skipped: vscode.l10n.t("{0} unreadable line(s) in the log were skipped."),
    summaryLine: vscode.l10n.t("{0} requests · read and aggregated in {1} ms"),
  };
}
