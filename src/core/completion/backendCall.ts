/**
 * The pipeline's "call the backend" step: at most one request in flight (a new one aborts the previous, the engine
 * supersedes it too), the alternatives that are not cached yet, and the failures sorted into cancelled and errors.
 */
import { errorCode, isCancellation, type CompletionRequest, type RequestMetrics } from "../backend/types.ts";
import type { CompletionEngine } from "./pipelineTypes.ts";
import type { CompletionRequestFields } from "./request.ts";
import type { PromptText } from "./safetyGate.ts";

/** Sampling temperature of the alternatives after the first (greedy) one: different, still plausible code. */
const ALTERNATIVE_TEMPERATURE = 0.7;

/** The one backend request in flight, if any. */
export class InFlightRequest {
  private current: { readonly controller: AbortController; readonly prefetch: boolean } | undefined;

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Whether the request in flight is the user's (not a prefetch). */
  get userRequestRunning(): boolean {
    return this.current !== undefined && !this.current.prefetch;
  }

  /** Aborts a running speculative prefetch (a user request pre-empts it). */
  cancelPrefetch(): void {
    if (this.current?.prefetch) this.current.controller.abort();
  }

  /** Runs `work` as the request in flight, aborting the previous one; `signal` (the caller's) aborts it too. */
  async run<T>(prefetch: boolean, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.current?.controller.abort();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const flight = { controller, prefetch };
    this.current = flight;
    try {
      return await work(controller.signal);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      if (this.current === flight) this.current = undefined;
    }
  }
}

/**
 * The backend request for alternative `index` of a filtered prompt. The first is greedy, the others sampled with a
 * fixed seed each (the same prompt gives the same alternatives). A prefetch runs at background priority with twice
 * the time: nobody waits for it.
 */
export function backendRequest(prompt: PromptText, fields: CompletionRequestFields, index: number, prefetch: boolean): CompletionRequest {
  return {
    prefix: prompt.prefix,
    currentLinePrefix: prompt.currentLinePrefix,
    suffix: prompt.suffix,
    extraContext: [...prompt.extraContext],
    maxTokens: fields.maxTokens,
    stop: [...fields.stop],
    stopAtLineEnd: fields.stopAtLineEnd,
    timeBudgetMs: prefetch ? fields.timeBudgetMs * 2 : fields.timeBudgetMs,
    ...(index === 0 ? { temperature: 0 } : { temperature: ALTERNATIVE_TEMPERATURE, seed: index }),
    ...(prefetch ? { priority: "background" as const } : {}),
  };
}

export interface BackendCall {
  readonly engine: (signal: AbortSignal) => Promise<CompletionEngine>;
  readonly prompt: PromptText;
  readonly fields: CompletionRequestFields;
  readonly prefetch: boolean;
  /** The caller's cancellation (the provider's token). */
  readonly signal: AbortSignal | undefined;
  /** Texts the result cache holds for this prompt already: only the alternatives after them are generated. */
  readonly cached: readonly string[];
  readonly wanted: number;
  /** Called before each backend call (the outcome counts them). */
  readonly onCall: () => void;
  /** Called with each answer; `index` 0 is the greedy one. No metrics when the pipeline stopped it early. */
  readonly onAnswer: (index: number, metrics: RequestMetrics | undefined) => void;
  /**
   * For the greedy text: true once the text streamed so far holds the whole suggestion. The request is then stopped
   * and the text kept (a multi-line suggestion whose block has ended). Default: run to the engine's own stop.
   */
  readonly completeWhen?: (streamed: string) => boolean;
  readonly now: () => number;
}

/** The texts (cached ones first) and the first new call's metrics. */
export interface BackendTexts {
  readonly ok: true;
  readonly texts: readonly string[];
  readonly metrics: RequestMetrics | undefined;
  /** The first text stopped at the token or time limit: post-processing trims its last, unfinished line. */
  readonly truncated: boolean;
  readonly engineMs: number;
}

export type BackendAnswer =
  | BackendTexts
  | { readonly ok: false; readonly cancelled: true }
  | { readonly ok: false; readonly cancelled: false; readonly reason: string; readonly code: string };

/** Generates the missing alternatives as the request in flight. A failure after the first new text keeps what came. */
export async function callBackend(flight: InFlightRequest, call: BackendCall): Promise<BackendAnswer> {
  return flight.run(call.prefetch, call.signal, async (signal) => {
    const texts = [...call.cached];
    let metrics: RequestMetrics | undefined;
    let truncated = false;
    const engineStart = call.now();
    try {
      const engine = await call.engine(signal);
      for (let i = call.cached.length; i < call.wanted && !signal.aborted; i++) {
        call.onCall();
        const request = backendRequest(call.prompt, call.fields, i, call.prefetch);
        const result = await completeUntil(engine, request, signal, i === 0 ? call.completeWhen : undefined);
        call.onAnswer(i, result.metrics);
        if (i === 0) {
          metrics = result.metrics;
          truncated = result.metrics?.stopReason === "maxTokens" || result.metrics?.stopReason === "timeBudget";
        }
        texts.push(result.text);
      }
    } catch (error) {
      if (texts.length === call.cached.length) {
        if (isCancellation(error) || signal.aborted) return { ok: false, cancelled: true };
        const code = (error as { code?: unknown } | null)?.code;
        return { ok: false, cancelled: false, reason: typeof code === "string" ? code : "error", code: errorCode(error) };
      }
    }
    return { ok: true, texts, metrics, truncated, engineMs: call.now() - engineStart };
  });
}

/**
 * How long a backend may take to end a generation it was asked to finish (`finishWhen`) before it is stopped: the
 * local engine ends at its next token; a backend that cannot finish early is aborted, and the streamed text kept.
 */
const FINISH_GRACE_MS = 250;

/**
 * One backend call. With `completeWhen`, the text streams in and the backend is asked to finish as soon as it holds the
 * whole suggestion: the answer is its text so far, with metrics. One that does not finish in time is aborted and the
 * streamed text is the answer (no metrics). A backend that does not stream runs to its own stop.
 */
async function completeUntil(
  engine: CompletionEngine,
  request: CompletionRequest,
  signal: AbortSignal,
  completeWhen: ((streamed: string) => boolean) | undefined,
): Promise<{ readonly text: string; readonly metrics: RequestMetrics | undefined }> {
  if (!completeWhen) return engine.complete(request, { signal });
  const enough = new AbortController();
  let streamed = "";
  let grace: ReturnType<typeof setTimeout> | undefined;
  // Decided once per chunk, here, whether or not the backend asks (one that ignores `finishWhen` is still stopped);
  // the backends pass each chunk to `onChunk` before they ask, so `finishWhen` only reports the decision.
  const onChunk = (text: string): void => {
    streamed += text;
    if (grace === undefined && completeWhen(streamed)) grace = setTimeout(() => enough.abort(), FINISH_GRACE_MS);
  };
  try {
    return await engine.complete(request, { signal: AbortSignal.any([signal, enough.signal]), onChunk, finishWhen: () => grace !== undefined });
  } catch (error) {
    if (enough.signal.aborted && !signal.aborted) return { text: streamed, metrics: undefined };
    throw error;
  } finally {
    clearTimeout(grace);
  }
}
