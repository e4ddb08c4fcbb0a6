import { byLines, CLOSER_LINE } from "./filter.ts";

/** A model stuck in a loop writes the same line again; the first one stays (closers like `}` may repeat). */
export const dropSelfRepeats = byLines((lines) => {
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line.length > 0 && !CLOSER_LINE.test(line) && line === lines[i - 1].trim()) return lines.slice(0, i);
  }
  return lines;
});
