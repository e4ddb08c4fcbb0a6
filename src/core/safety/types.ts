/**
 * Shared shapes of the safety filter. Everything here is plain data so a result can cross the webview message
 * boundary or be written to a log: no report ever carries a redacted value, only where it was and which rule fired.
 */

/** The three features that send text to a model; they all go through the same filter. */
export type Feature = "completion" | "chat" | "explain";

/** A half-open span `[start, end)` of UTF-16 offsets into the text that was filtered. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** One place where a secret (or a user sensitive word) was found. Never holds the value itself. */
export interface RedactionReport {
  /** Which rule fired, e.g. `github-token`, `private-key`, `sensitive-word`. */
  readonly ruleId: string;
  /** The placeholder the model sees instead, e.g. `<secret:github-token#1>`. */
  readonly placeholder: string;
  /** 1-based line of the first character of the redacted span in the original text. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of that character. */
  readonly column: number;
  /** Length of the redacted span in the original text, in UTF-16 code units. */
  readonly length: number;
}

/** Why a hidden character is considered dangerous. */
export type HiddenCharacterKind = "bidi-control" | "zero-width" | "tag";

/** One run of hidden characters of the same kind that was removed or escaped. */
export interface HiddenCharacterReport {
  readonly kind: HiddenCharacterKind;
  /** The first code point of the run, as `U+202E`. */
  readonly codePoint: string;
  /** How many code points the run had. */
  readonly count: number;
  readonly line: number;
  readonly column: number;
  readonly action: "removed" | "escaped";
}

/** A span of the filtered text that the filter wrote itself (placeholder, escape, notice), for the "what the model sees" view. */
export interface Marker extends Span {
  readonly kind: "redaction" | "hidden-character" | "truncation";
  /** Rule id for a redaction, kind for a hidden character, `truncated` for the notice. */
  readonly label: string;
}

/** One replacement of `[start, end)` of the original text by `replacement`. */
export interface Edit extends Span {
  readonly replacement: string;
  readonly marker?: Omit<Marker, keyof Span>;
}
