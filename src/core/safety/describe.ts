/**
 * Renders a filter result for "Private Coder: Show What the Model Sees": a short header saying what the filter
 * did (rule, line, column of each redaction; never a value), then the exact filtered text. Placeholders such as
 * `<secret:github-token#1>` are already visible in the text; the header lists where they came from, and
 * `FilteredContext.markers` lets the editor highlight them.
 */
import type { FilteredContext } from "./filterContext.ts";

export interface DescribeOptions {
  /** A title line, e.g. `Last completion request — 12:03:41`. */
  readonly title?: string;
  /** Where the text came from, shown in the header. */
  readonly source?: string;
  /** Prefix of header lines. Default `# `. */
  readonly commentPrefix?: string;
}

/** The separator between header and text; everything after it is byte-for-byte what the model receives. */
export const BODY_SEPARATOR = "──────── exact text sent to the model below this line ────────";

export function describeFilteredText(result: FilteredContext, options: DescribeOptions = {}): string {
  const p = options.commentPrefix ?? "# ";
  const lines: string[] = [];
  if (options.title) lines.push(p + options.title);
  lines.push(`${p}feature: ${result.feature}${options.source ? ` · source: ${options.source}` : ""}`);
  if (result.excluded) {
    lines.push(`${p}EXCLUDED: ${result.reason ?? "excluded by path"}. Nothing from this file is sent.`);
  } else if (result.blocked) {
    lines.push(`${p}BLOCKED: ${result.reason ?? "a sensitive word was found"}. Nothing is sent.`);
  } else {
    if (result.reason) lines.push(`${p}${result.reason}`);
    if (result.redactions.length === 0) lines.push(`${p}redactions: none`);
    else {
      lines.push(`${p}redactions: ${result.redactions.length}`);
      for (const r of result.redactions) lines.push(`${p}  ${r.placeholder}  ${r.ruleId} at line ${r.line}, column ${r.column}`);
    }
    if (result.hiddenCharacters.length > 0) {
      lines.push(`${p}hidden characters: ${result.hiddenCharacters.length} run(s)`);
      for (const h of result.hiddenCharacters) lines.push(`${p}  ${h.kind} ${h.codePoint}${h.count > 1 ? ` ×${h.count}` : ""} ${h.action} at line ${h.line}, column ${h.column}`);
    }
    if (result.hiddenCharacterRunsNotListed > 0) lines.push(`${p}  … and ${result.hiddenCharacterRunsNotListed} more run(s), also handled`);
    if (result.truncation) lines.push(`${p}truncated: kept ${result.truncation.keptLength} of ${result.truncation.originalLength} characters`);
  }
  lines.push(BODY_SEPARATOR);
  return lines.join("\n") + "\n" + result.text;
}
