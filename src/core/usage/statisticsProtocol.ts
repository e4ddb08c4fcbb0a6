/**
 * Messages between the host and the statistics webview. The host aggregates; the page only draws. Everything the
 * page sends is checked by {@link parseStatisticsMessage} before the host acts on it.
 */
import { USAGE_RANGES, type UsageRange, type UsageSummary } from "./aggregate.ts";

export type StatisticsHostMessage =
  | {
      readonly type: "summary";
      readonly summary: UsageSummary;
      /** Milliseconds the host took to read and aggregate the log. */
      readonly hostMs: number;
      /** Whether the log is on (`usage.enabled`). */
      readonly logging: boolean;
    }
  | { readonly type: "busy"; readonly busy: boolean };

export type StatisticsViewMessage =
  | { readonly type: "ready" }
  | { readonly type: "range"; readonly range: UsageRange }
  | { readonly type: "export"; readonly format: "csv" | "json" }
  | { readonly type: "clear" }
  /** The charts are drawn: milliseconds since the page's script started. */
  | { readonly type: "rendered"; readonly ms: number; readonly charts: number };

/** A message from the page, or undefined when it is not one this protocol knows (it is then ignored). */
export function parseStatisticsMessage(value: unknown): StatisticsViewMessage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case "ready":
    case "clear":
      return { type: m.type };
    case "range":
      return USAGE_RANGES.includes(m.range as UsageRange) ? { type: "range", range: m.range as UsageRange } : undefined;
    case "export":
      return m.format === "csv" || m.format === "json" ? { type: "export", format: m.format } : undefined;
    case "rendered":
      return typeof m.ms === "number" && Number.isFinite(m.ms) && typeof m.charts === "number" ? { type: "rendered", ms: m.ms, charts: m.charts } : undefined;
    default:
      return undefined;
  }
}
