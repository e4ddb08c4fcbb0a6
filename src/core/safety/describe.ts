/**
 * Renders a filter result for "Private Coder: Show What the Model Sees": a short header saying what the filter
 * did (rule, line, column of each redaction; never a value), then the exact filtered text. Placeholders such as
 * `<secret:github-token#1>` are already visible in the text; the header lists where they came from, and
 * `FilteredContext.markers` lets the editor highlight them.
 */
import type { FilteredContext } from "./filterContext.ts";
import type { HiddenCharacterReport } from "./types.ts";

/**
 * The wording of the header, so the host can show it in the user's language (the core has no `vscode`). Reasons
 * (`excluded by default pattern ".env"`) and rule ids come from the filter as they are.
 */
export interface DescribeTexts {
  /** `feature: chat · source: app.py` */
  feature(feature: string, source: string | undefined): string;
  excluded(reason: string | undefined, result: FilteredContext): string;
  blocked(reason: string | undefined): string;
  noRedactions: string;
  redactions(count: number): string;
  /** One redaction: its placeholder, rule and where it was (never the value). */
  redaction(placeholder: string, ruleId: string, line: number, column: number): string;
  hiddenCharacters(runs: number): string;
  /** One run of hidden characters, e.g. `zero-width U+200B escaped at line 2, column 7`. */
  hiddenCharacterRun(run: HiddenCharacterReport): string;
  moreHiddenCharacterRuns(runs: number): string;
  truncated(keptLength: number, originalLength: number): string;
  /** The separator line; everything after it is byte-for-byte what the model receives. */
  separator: string;
}

export interface DescribeOptions {
  /** A title line, e.g. `Last completion request — 12:03:41`. */
  readonly title?: string;
  /** Where the text came from, shown in the header. */
  readonly source?: string;
  /** Prefix of header lines. Default `# `. */
  readonly commentPrefix?: string;
  /** The wording. Default: {@link ENGLISH_DESCRIBE_TEXTS}. */
  readonly texts?: DescribeTexts;
}

/** The separator between header and text; everything after it is byte-for-byte what the model receives. */
export const BODY_SEPARATOR = "──────── exact text sent to the model below this line ────────";

export const ENGLISH_DESCRIBE_TEXTS: DescribeTexts = {
  feature: (feature, source) => `feature: ${feature}${source ? ` · source: ${source}` : ""}`,
  excluded: (reason) => `EXCLUDED: ${reason ?? "excluded by path"}. Nothing from this file is sent.`,
  blocked: (reason) => `BLOCKED: ${reason ?? "a sensitive word was found"}. Nothing is sent.`,
  noRedactions: "redactions: none",
  redactions: (count) => `redactions: ${count}`,
  redaction: (placeholder, ruleId, line, column) => `${placeholder}  ${ruleId} at line ${line}, column ${column}`,
  hiddenCharacters: (runs) => `hidden characters: ${runs} run(s)`,
  hiddenCharacterRun: (h) => `${h.kind} ${h.codePoint}${h.count > 1 ? ` ×${h.count}` : ""} ${h.action} at line ${h.line}, column ${h.column}`,
  moreHiddenCharacterRuns: (runs) => `… and ${runs} more run(s), also handled`,
  truncated: (kept, original) => `truncated: kept ${kept} of ${original} characters`,
  separator: BODY_SEPARATOR,
};

export function describeFilteredText(result: FilteredContext, options: DescribeOptions = {}): string {
  const p = options.commentPrefix ?? "# ";
  const t = options.texts ?? ENGLISH_DESCRIBE_TEXTS;
  const lines: string[] = [];
  if (options.title) lines.push(p + options.title);
  lines.push(p + t.feature(result.feature, options.source));
  if (result.excluded) {
    lines.push(p + t.excluded(result.reason, result));
  } else if (result.blocked) {
    lines.push(p + t.blocked(result.reason));
  } else {
    if (result.reason) lines.push(`${p}${result.reason}`);
    if (result.redactions.length === 0) lines.push(p + t.noRedactions);
    else {
      lines.push(p + t.redactions(result.redactions.length));
      for (const r of result.redactions) lines.push(`${p}  ${t.redaction(r.placeholder, r.ruleId, r.line, r.column)}`);
    }
    if (result.hiddenCharacters.length > 0) {
      lines.push(p + t.hiddenCharacters(result.hiddenCharacters.length));
      for (const h of result.hiddenCharacters) lines.push(`${p}  ${t.hiddenCharacterRun(h)}`);
    }
    if (result.hiddenCharacterRunsNotListed > 0) lines.push(`${p}  ${t.moreHiddenCharacterRuns(result.hiddenCharacterRunsNotListed)}`);
    if (result.truncation) lines.push(p + t.truncated(result.truncation.keptLength, result.truncation.originalLength));
  }
  lines.push(t.separator);
  return lines.join("\n") + "\n" + result.text;
}
