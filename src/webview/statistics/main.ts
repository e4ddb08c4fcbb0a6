// The statistics dashboard: draws what the host aggregated (src/core/usage/aggregate.ts) with uPlot, follows the
// workbench theme, and sends the range, export and clear choices back. Every message from the host is checked.
import "@vscode-elements/elements/dist/vscode-button/index.js";
import "uplot/dist/uPlot.min.css";
import type uPlot from "uplot";
import { LATENCY_EDGES_MS, USAGE_RANGES, type UsageRange, type UsageSummary } from "../../core/usage/aggregate.ts";
import type { UsageFeature } from "../../core/usage/record.ts";
import type { StatisticsHostMessage, StatisticsViewMessage } from "../../core/usage/statisticsProtocol.ts";
import { parseStatisticsStrings, STATISTICS_STRINGS_ELEMENT_ID, type StatisticsStringKey } from "../../core/usage/statisticsStrings.ts";
import { formatString } from "../../core/webviewStrings.ts";
import { drawChart, type ChartSpec } from "./charts.ts";

declare function acquireVsCodeApi(): { postMessage(message: StatisticsViewMessage): void };
const vscode = acquireVsCodeApi();

const strings = parseStatisticsStrings(readJson(STATISTICS_STRINGS_ELEMENT_ID));
function t(key: StatisticsStringKey, ...args: readonly (string | number)[]): string {
  return formatString(strings[key], ...args);
}

function readJson(id: string): unknown {
  try {
    return JSON.parse(document.getElementById(id)?.textContent ?? "null") as unknown;
  } catch {
    return undefined;
  }
}

const RANGE_LABELS: Record<UsageRange, StatisticsStringKey> = { today: "today", "7d": "days7", "30d": "days30", all: "all" };
const FEATURES: readonly UsageFeature[] = ["completion", "chat", "explain", "prefetch"];

let summary: UsageSummary | undefined;
let plots: uPlot[] = [];
let reported = false;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function button(label: string, id: string, secondary: boolean, onClick: () => void): HTMLElement {
  const b = el("vscode-button", { id, ...(secondary ? { secondary: "" } : {}) }, label);
  b.addEventListener("click", onClick);
  return b;
}

const app = document.getElementById("app") as HTMLElement;
const toolbar = el("div", { class: "toolbar", role: "toolbar" });
const status = el("p", { class: "status", id: "status", "aria-live": "polite" });
const tiles = el("section", { class: "tiles", id: "tiles" });
const charts = el("section", { class: "charts", id: "charts" });
app.append(el("h1", {}, t("title")), toolbar, status, tiles, charts);

function renderToolbar(): void {
  toolbar.replaceChildren(
    ...USAGE_RANGES.map((range) => button(t(RANGE_LABELS[range]), `range-${range}`, summary?.range !== range, () => vscode.postMessage({ type: "range", range }))),
    el("span", { class: "spacer" }),
    button(t("exportCsv"), "export-csv", true, () => vscode.postMessage({ type: "export", format: "csv" })),
    button(t("exportJson"), "export-json", true, () => vscode.postMessage({ type: "export", format: "json" })),
    button(t("clear"), "clear-log", true, () => vscode.postMessage({ type: "clear" })),
  );
}

const pct = (v: number | null): string => (v === null ? "–" : `${Math.round(v * 1000) / 10}%`);
const ms = (v: number | null): string => (v === null ? "–" : v >= 10_000 ? `${Math.round(v / 100) / 10} s` : `${Math.round(v)} ms`);

function tile(label: string, value: string, id: string): HTMLElement {
  const box = el("div", { class: "tile", id: `tile-${id}` });
  box.append(el("div", { class: "value" }, value), el("div", { class: "label" }, label));
  return box;
}

function renderTiles(s: UsageSummary): void {
  const l = s.latency;
  tiles.replaceChildren(
    tile(t("requests"), String(s.records), "requests"),
    tile(t("acceptance"), `${pct(s.acceptance.rate)} (${s.acceptance.accepted}/${s.acceptance.shown})`, "acceptance"),
    tile(t("charsAccepted"), String(s.acceptance.acceptedChars), "chars"),
    tile(t("completionLatency"), `${ms(l.completion.p50)} / ${ms(l.completion.p95)}`, "completion-latency"),
    tile(t("chatLatency"), `${ms(l.chat.p50)} / ${ms(l.chat.p95)}`, "chat-latency"),
    tile(t("kvReuse"), pct(s.kv.reuseRate), "kv"),
    tile(t("cacheHitRate"), pct(s.cache.hitRate), "cache"),
    tile(t("redactions"), String(s.redactions), "redactions"),
  );
  // Speculative decoding, where the engine reported it: whether drafting pays with this model on this machine.
  const d = s.drafting;
  if (d.requests > 0) {
    const speed = (v: number | null): string => (v === null ? "–" : String(v));
    tiles.append(
      tile(t("draftsConfirmed"), `${pct(d.confirmedRate)} (${d.accepted}/${d.accepted + d.rejected})`, "drafts"),
      tile(t("draftingSpeed"), `${speed(d.generation.drafting)} / ${speed(d.generation.plain)}`, "drafting-speed"),
    );
  }
}

function chartSpecs(s: UsageSummary): ChartSpec[] {
  const days = s.days.map((d) => d / 1000);
  const specs: ChartSpec[] = [
    {
      title: t("requestsPerDay"),
      x: days,
      time: true,
      series: FEATURES.map((f) => ({ label: t(f), values: s.requestsPerDay[f], bars: false })),
    },
    {
      title: t("acceptancePerDay"),
      x: days,
      time: true,
      yLabel: t("acceptanceRate"),
      y2Label: t("charsAccepted"),
      series: [
        { label: t("charsAccepted"), values: s.acceptance.perDayChars, scale: "y2", bars: true },
        { label: t("acceptanceRate"), values: s.acceptance.perDayRate.map((r) => (r === null ? null : r * 100)), format: (v) => `${Math.round(v)}%` },
      ],
    },
  ];
  if (s.speed.t.length > 0) {
    specs.push({
      title: t("speedOverTime"),
      x: s.speed.t.map((v) => v / 1000),
      time: true,
      yLabel: t("prefill"),
      y2Label: t("generation"),
      series: [
        { label: t("prefill"), values: s.speed.prefill },
        { label: t("generation"), values: s.speed.generation, scale: "y2" },
      ],
    });
  }
  const buckets = [...LATENCY_EDGES_MS.map((e) => `<${e >= 1000 ? `${e / 1000}s` : e}`), `≥${LATENCY_EDGES_MS[LATENCY_EDGES_MS.length - 1] / 1000}s`];
  for (const f of FEATURES) {
    const stats = s.latency[f];
    if (stats.count === 0) continue;
    specs.push({
      title: t("latencyHistogram", t(f), ms(stats.p50), ms(stats.p95)),
      x: buckets.map((_b, i) => i),
      categories: buckets,
      time: false,
      series: [{ label: t(f), values: stats.histogram, bars: true }],
    });
  }
  return specs;
}

function renderCharts(): void {
  for (const p of plots) p.destroy();
  plots = [];
  charts.replaceChildren();
  if (!summary || summary.records === 0) return;
  const width = Math.max(320, Math.min(charts.clientWidth || 800, 1200) - 8);
  for (const spec of chartSpecs(summary)) {
    const box = el("div", { class: "chart" });
    charts.append(box);
    plots.push(drawChart(box, spec, width));
  }
}

function render(message: Extract<StatisticsHostMessage, { type: "summary" }>): void {
  summary = message.summary;
  renderToolbar();
  const notes = [t("summaryLine", message.summary.records, Math.round(message.hostMs))];
  if (message.summary.skippedLines > 0) notes.push(t("skipped", message.summary.skippedLines));
  if (!message.logging) notes.push(t("loggingOff"));
  if (message.summary.records === 0) notes.push(t("empty"));
  status.textContent = notes.join(" ");
  renderTiles(message.summary);
  renderCharts();
  if (!reported) {
    reported = true;
    // Time to first render: from the page's start to the charts drawn, for the host's log and the UI test.
    requestAnimationFrame(() => vscode.postMessage({ type: "rendered", ms: Math.round(performance.now()), charts: plots.length }));
  }
}

function isSummaryMessage(value: unknown): value is Extract<StatisticsHostMessage, { type: "summary" }> {
  if (typeof value !== "object" || value === null) return false;
  const m = value as { type?: unknown; summary?: unknown; hostMs?: unknown; logging?: unknown };
  if (m.type !== "summary" || typeof m.hostMs !== "number" || typeof m.logging !== "boolean") return false;
  const s = m.summary as Partial<UsageSummary> | null;
  return (
    typeof s === "object" &&
    s !== null &&
    USAGE_RANGES.includes(s.range as UsageRange) &&
    typeof s.records === "number" &&
    Array.isArray(s.days) &&
    typeof s.requestsPerDay === "object" &&
    typeof s.latency === "object" &&
    typeof s.acceptance === "object" &&
    typeof s.speed === "object" &&
    typeof s.kv === "object" &&
    typeof s.cache === "object" &&
    typeof s.drafting === "object" &&
    s.drafting !== null
  );
}

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (isSummaryMessage(data)) render(data);
  else if (typeof data === "object" && data !== null && (data as { type?: unknown }).type === "busy") document.body.classList.toggle("busy", (data as { busy?: unknown }).busy === true);
});

// A theme switch changes the body's class: the canvases take their colours from the theme, so redraw.
new MutationObserver(() => renderCharts()).observe(document.body, { attributes: true, attributeFilter: ["class"] });
let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener("resize", () => {
  if (resizeTimer !== undefined) clearTimeout(resizeTimer);
  resizeTimer = setTimeout(renderCharts, 150);
});

renderToolbar();
vscode.postMessage({ type: "ready" });
