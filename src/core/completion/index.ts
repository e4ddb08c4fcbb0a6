/**
 * Inline completion's pure core. `CompletionPipeline` runs, per keystroke:
 * `CompletionCache.typeThrough` → `shouldRequest` → `buildCompletionContext` → `selectExtraContext` →
 * `completionRequestFields` (engine fields + cache key) → `CompletionCache.get` → (`CompletionSafetyGate`, backend
 * `complete`, `SpeedTracker.observe`) → `postprocess` → `CompletionCache.remember`, and reports one
 * `CompletionOutcome` per request (`CompletionOutcomeCounter` keeps the statistics).
 */
export * from "./budget.ts";
export { medianSpeed, SpeedTracker } from "./liveSpeed.ts";
export { WarmStates, WARM_FILES_KEPT } from "./warmStates.ts";
export * from "./cache.ts";
export * from "./context.ts";
export * from "./extraContext.ts";
export { postprocess, POSTPROCESS_DEFAULTS, type PostprocessContext } from "./postprocess/index.ts";
export * from "./fileSystemSafetyPolicy.ts";
export * from "./outcome.ts";
export * from "./outcomeStats.ts";
export * from "./pipeline.ts";
export * from "./request.ts";
export * from "./safetyGate.ts";
export * from "./trigger.ts";
export { estimateTokens, charRatioCounter, calibrateCharsPerToken, DEFAULT_CHARS_PER_TOKEN, type TokenCounter } from "./tokens.ts";
export { hashParts, hashString } from "./hash.ts";
export { detectIndentUnit, indentWidth } from "./indent.ts";
export { commentLine, commentSyntax, type CommentSyntax } from "./languages.ts";
