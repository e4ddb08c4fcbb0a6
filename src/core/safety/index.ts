/** The safety filter's public surface: import from here, not from the files behind it. */
export { filterContext, filterText, DEFAULT_MAX_CHARS, type FilterInput, type FilteredContext, type SafetyPolicy } from "./filterContext.ts";
export {
  PathExclusion,
  DEFAULT_EXCLUDED_PATTERNS,
  IGNORE_FILE_NAME,
  normalizePath,
  type SafetyFileSystem,
  type PathExclusionOptions,
  type PathDecision,
  type SourceLocation,
} from "./pathExclusion.ts";
export { sanitizeModelOutput, OutputSanitizer, type SanitizeOutputOptions } from "./sanitizeOutput.ts";
export { describeFilteredText, BODY_SEPARATOR, ENGLISH_DESCRIBE_TEXTS, type DescribeOptions, type DescribeTexts } from "./describe.ts";
export { findSecrets, SECRET_RULE_IDS, type SecretFinding } from "./findSecrets.ts";
export type { Budget, TruncationReport } from "./truncate.ts";
export type { SensitiveWordAction } from "./sensitiveWords.ts";
export type { HiddenCharacterAction } from "./hiddenCharacters.ts";
export type { Feature, RedactionReport, HiddenCharacterReport, HiddenCharacterKind, Marker } from "./types.ts";
