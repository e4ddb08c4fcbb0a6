// The dashboard's charts, drawn with uPlot (bundled, no CDN). Each builder takes the host's aggregated numbers;
// nothing here reads the log.
import uPlot from "uplot";
import type { AlignedData, Options, Series } from "uplot";
import { chartTheme, withAlpha, type ChartTheme } from "./theme.ts";

export interface SeriesSpec {
  readonly label: string;
  readonly values: readonly (number | null)[];
  /** Which y axis (`y` left, `y2` right). Default `y`. */
  readonly scale?: "y" | "y2";
  readonly bars?: boolean;
  readonly format?: (value: number) => string;
}

export interface ChartSpec {
  readonly title: string;
  /** X values: epoch seconds for time charts, bucket indexes for histograms. */
  readonly x: readonly number[];
  readonly series: readonly SeriesSpec[];
  readonly time: boolean;
  /** Tick labels for a categorical x axis (histogram buckets). */
  readonly categories?: readonly string[];
  readonly yLabel?: string;
  readonly y2Label?: string;
  /** The y axis starts at 0. Default true. */
  readonly zero?: boolean;
}

const HEIGHT = 220;

function axis(theme: ChartTheme, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: theme.foreground,
    font: theme.font,
    labelFont: theme.font,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
    ...extra,
  };
}

/** Draws `spec` into `container` (replacing what was there); returns the plot for resizing and disposal. */
export function drawChart(container: HTMLElement, spec: ChartSpec, width: number): uPlot {
  const theme = chartTheme();
  const lineWidth = theme.highContrast ? 3 : 2;
  const series: Series[] = [{ label: spec.time ? "" : spec.categories ? "" : "x" }];
  spec.series.forEach((s, i) => {
    const color = theme.series[i % theme.series.length];
    series.push({
      label: s.label,
      scale: s.scale ?? "y",
      stroke: color,
      width: lineWidth,
      fill: s.bars ? withAlpha(color, theme.highContrast ? 0.9 : 0.6) : undefined,
      paths: s.bars ? uPlot.paths.bars?.({ size: [0.7, 60], gap: 1 }) : undefined,
      points: { show: !s.bars && spec.x.length < 60, size: 5 },
      spanGaps: false,
      value: (_u, v) => (v === null ? "–" : s.format ? s.format(v) : String(Math.round(v * 10) / 10)),
    });
  });
  const hasY2 = spec.series.some((s) => s.scale === "y2");
  const categories = spec.categories;
  const axes: uPlot.Axis[] = [
    categories
      ? axis(theme, { values: (_u, splits) => splits.map((v) => categories[v] ?? ""), splits: () => categories.map((_c, i) => i), rotate: 0, size: 40 })
      : axis(theme),
    axis(theme, { label: spec.yLabel, size: 70 }),
  ];
  if (hasY2) axes.push(axis(theme, { side: 1, scale: "y2", label: spec.y2Label, grid: { show: false }, size: 70 }));
  const zero = spec.zero ?? true;
  const options: Options = {
    title: spec.title,
    width,
    height: HEIGHT,
    series,
    axes,
    scales: {
      x: spec.time ? { time: true } : { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      y: { range: (_u, min, max) => [zero ? 0 : min, Math.max(max, zero ? 1 : max) * 1.1] },
      ...(hasY2 ? { y2: { range: (_u: uPlot, _min: number, max: number) => [0, Math.max(max, 1) * 1.1] as [number, number] } } : {}),
    },
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
  };
  container.replaceChildren();
  const data = [spec.x, ...spec.series.map((s) => s.values)] as unknown as AlignedData;
  return new uPlot(options, data, container);
}
