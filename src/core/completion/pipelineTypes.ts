/** What the completion pipeline takes and gives: its engine, documents, requests, results and options. */
import type { CompleteOptions, CompletionRequest, CompletionResult, PrewarmOutcome, RequestMetrics } from "../backend/types.ts";
import type { BudgetOverrides } from "./budget.ts";
import type { CursorPosition, DocumentSnapshot } from "./context.ts";
import type { Snippet } from "./extraContext.ts";
import type { CompletionSafetyGate, DocumentLocation } from "./safetyGate.ts";
import type { CompletionMode } from "./trigger.ts";

/** What the pipeline needs from a backend: `InferenceBackend.complete`. */
export interface CompletionEngine {
  /** `onChunk` and `finishWhen` where the backend streams: see `CompleteOptions` (the pipeline may end it early). */
  complete(request: CompletionRequest, options: CompleteOptions): Promise<CompletionResult>;
  /** Where the backend can keep a prompt warm (see `InferenceBackend.prewarm`). */
  prewarm?(request: CompletionRequest, options: { signal?: AbortSignal }): Promise<PrewarmOutcome>;
}

/** What `CompletionPipeline.prewarm` did: `prewarmed` (all or part of the window), or why not. */
export interface PrewarmReport {
  readonly result: "prewarmed" | "alreadyWarm" | "busy" | "excluded" | "refused" | "unsupported" | "cancelled" | "error" | "notReady";
  readonly outcome?: PrewarmOutcome;
}

/** A document as the pipeline sees it: lines on demand plus identity and location. */
export interface PipelineDocument extends DocumentSnapshot {
  /** URI string. */
  readonly id: string;
  readonly location: DocumentLocation;
}

export interface PipelineRequest {
  readonly doc: PipelineDocument;
  readonly cursor: CursorPosition;
  /** The user asked (command or keybinding). */
  readonly explicit: boolean;
  readonly lastInserted?: string;
  readonly hasSelection?: boolean;
  /** Inline completion is enabled for this document's language. */
  readonly enabled: boolean;
  readonly signal?: AbortSignal;
  /** Called after the memory paths missed, before the engine: the debounce. False: give up (typing went on). */
  readonly beforeEngine?: () => Promise<boolean>;
  /** Alternatives wanted (explicit requests may ask for 2: the second is sampled). Default 1. */
  readonly alternatives?: number;
}

export type ResultSource = "typeThrough" | "cache" | "engine" | "declined" | "cancelled" | "empty" | "refused" | "error";

export interface PipelineResult {
  /** Texts to insert at the cursor (post-processed); empty when nothing is shown. */
  readonly items: readonly string[];
  readonly source: ResultSource;
  /** Why nothing was requested (trigger reason, `excluded`, `blocked`, an error code). */
  readonly reason?: string;
  /** Time spent in this call. */
  readonly totalMs: number;
  /** Time spent waiting for the engine (and for the debounce hook). */
  readonly engineMs: number;
  readonly debounceMs: number;
  readonly metrics?: RequestMetrics;
  readonly mode?: CompletionMode;
}

export interface PipelineSettings {
  readonly overrides: BudgetOverrides;
  /** Salt of the cache key: what else changes the answer (the model path). */
  readonly salt: string;
  readonly contextSize?: number;
}

export interface PipelineOptions {
  readonly engine: (signal: AbortSignal) => Promise<CompletionEngine>;
  readonly safety: CompletionSafetyGate;
  readonly settings: () => PipelineSettings;
  /** Whether the completion model is loaded and may take a request. */
  readonly modelReady: () => boolean;
  /** Snippets of recent same-language files (never the document itself, never excluded ones). */
  readonly snippets?: (doc: PipelineDocument) => readonly Snippet[];
  /** Where a snippet's file lives (by its `Snippet.path`), so the safety seam checks the chunk's path too. */
  readonly snippetLocation?: (path: string) => DocumentLocation | undefined;
  /** Log line (metadata only, never code). */
  readonly log?: (message: string) => void;
  readonly now?: () => number;
}

/** Options of `CompletionPipeline.prefetch`. */
export interface PrefetchOptions {
  /**
   * The user has paused: evaluate the full prompt even where that takes seconds (a slow CPU), so the requests that
   * follow here are warm with the whole window instead of the small cold one. A keystroke aborts it; the next
   * request is then cold once. Default false: only a prompt that is warm or quick to evaluate.
   */
  readonly grow?: boolean;
}
