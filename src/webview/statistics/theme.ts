// Chart colours from the workbench theme (--vscode-charts-* and friends), read when a chart is drawn: uPlot paints a
// canvas, which CSS variables do not reach by themselves. A theme switch changes the body's class; main.ts redraws.

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value === "" ? fallback : value;
}

export interface ChartTheme {
  readonly foreground: string;
  readonly grid: string;
  readonly font: string;
  /** One colour per series, in order. */
  readonly series: readonly string[];
  readonly highContrast: boolean;
}

export function chartTheme(): ChartTheme {
  const highContrast = document.body.classList.contains("vscode-high-contrast") || document.body.classList.contains("vscode-high-contrast-light");
  const family = cssVar("--vscode-font-family", "sans-serif");
  const size = cssVar("--vscode-font-size", "13px");
  return {
    foreground: cssVar("--vscode-charts-foreground", cssVar("--vscode-foreground", "#888")),
    grid: cssVar("--vscode-charts-lines", "rgba(128,128,128,0.3)"),
    font: `${size} ${family}`,
    series: [
      cssVar("--vscode-charts-blue", "#3794ff"),
      cssVar("--vscode-charts-orange", "#d18616"),
      cssVar("--vscode-charts-green", "#89d185"),
      cssVar("--vscode-charts-purple", "#b180d7"),
      cssVar("--vscode-charts-red", "#f14c4c"),
      cssVar("--vscode-charts-yellow", "#cca700"),
    ],
    highContrast,
  };
}

/** `color` at `alpha` opacity for bar fills (hex #rgb/#rrggbb or anything else left as is). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return color;
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
