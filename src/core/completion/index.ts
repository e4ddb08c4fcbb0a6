/**
 * Inline completion's pure core. The provider calls, per keystroke:
 * `shouldRequest` → `CompletionCache.typeThrough` → `buildCompletionContext` → `selectExtraContext` →
 * `completionRequestFields` (engine fields + cache key) → `CompletionCache.get` → (safety filter, engine `complete`,
 * `SpeedTracker.observe`) → `postprocess` → `CompletionCache.remember`.
 */
export * from "./budget.ts";
export * from "./cache.ts";
export * from "./context.ts";
export * from "./extraContext.ts";
export { postprocess, POSTPROCESS_DEFAULTS, type PostprocessContext } from "./postprocess/index.ts";
export * from "./request.ts";
export * from "./trigger.ts";
export { estimateTokens, charRatioCounter, calibrateCharsPerToken, DEFAULT_CHARS_PER_TOKEN, type TokenCounter } from "./tokens.ts";
export { hashParts, hashString } from "./hash.ts";
export { detectIndentUnit, indentWidth } from "./indent.ts";
export { commentLine, commentSyntax, type CommentSyntax } from "./languages.ts";
