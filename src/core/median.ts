/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The median rounded to a tenth, for display (speeds in tokens/s); null when there are no values. */
export function medianToTenth(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.round(median(values) * 10) / 10;
}
