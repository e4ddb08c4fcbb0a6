/**
 * What the engine holds warm: the prompt its completion sequence evaluated last, and the saved states of the few
 * files used before it (the engine keeps the KV state of recent files and restores it on a switch back). A request
 * whose prompt start one of them holds is warm: it gets the full prompt window, not the small cold one, so
 * switching back to a recent file costs a warm keystroke instead of a cold prompt.
 */
import type { CompletionContext } from "./context.ts";
import { holdsPrompt, startsLike, type WarmState } from "./pipelineSteps.ts";

/** Files remembered: what the engine keeps (its sequence plus its saved states), or fewer. */
export const WARM_FILES_KEPT = 4;

export class WarmStates {
  /** Most recent last. */
  private states: WarmState[] = [];

  constructor(private readonly kept = WARM_FILES_KEPT) {}

  /** The engine's sequence holds `state` now; an older state of the same document is replaced. */
  add(state: WarmState): void {
    this.states = [...this.states.filter((s) => s.docId !== state.docId), state].slice(-this.kept);
  }

  /** Whether a held state is this whole prompt's start (same document, prefix start and extra chunks). */
  holds(docId: string, ctx: CompletionContext, extraIds: string): boolean {
    return this.states.some((s) => holdsPrompt(s, docId, ctx, extraIds));
  }

  /** Share (0-1) of this prompt a partly evaluated state holds (a prewarm the user stopped); 0 when none. */
  heldShare(docId: string, ctx: CompletionContext, extraIds: string): number {
    const partial = this.states.find((s) => s.heldShare !== undefined && startsLike(s, docId, ctx, extraIds));
    return partial?.heldShare ?? 0;
  }

  /** The held state of a document, if any. */
  of(docId: string): WarmState | undefined {
    return this.states.find((s) => s.docId === docId);
  }

  forget(docId: string): void {
    this.states = this.states.filter((s) => s.docId !== docId);
  }

  clear(): void {
    this.states = [];
  }
}
