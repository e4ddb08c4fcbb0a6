/**
 * The completion gate on the host's `SafetyService` (the one door every feature goes through): the same settings,
 * the same per-folder `.privatecoderignore`, and "Show What the Model Sees" shows the last completion prompt.
 * Exclusion decisions are cached per path (a keystroke must not touch the disk); `reset()` clears them.
 */
import * as vscode from "vscode";
import type { FilteredContext } from "../../core/safety/index";
import type { SafetyService } from "../safety";
import { ExclusionDecisions, joinMain, splitMain, type CompletionSafetyGate, type DocumentLocation, type FilterOutcome, type PromptText } from "./promptSafety";

function uriOf(location: DocumentLocation): vscode.Uri | undefined {
  if (location.path === undefined) return undefined;
  return location.scheme === "file" ? vscode.Uri.file(location.path) : vscode.Uri.from({ scheme: location.scheme, path: location.path });
}

export class HostSafetyGate implements CompletionSafetyGate {
  private readonly decisions = new ExclusionDecisions();

  constructor(private readonly safety: SafetyService) {}

  reset(): void {
    this.decisions.clear();
  }

  isExcluded(location: DocumentLocation): Promise<boolean> {
    return this.decisions.get(location, async () => (await this.safety.isExcluded(uriOf(location)!)).excluded);
  }

  knownExcluded(location: DocumentLocation): boolean | undefined {
    return this.decisions.known(location);
  }

  async filterRequest(location: DocumentLocation, prompt: PromptText, chunkLocations: readonly (DocumentLocation | undefined)[] = []): Promise<FilterOutcome> {
    if (await this.isExcluded(location)) return { ok: false, reason: "excluded" };
    const { text, cursorOffset } = joinMain(prompt);
    const uri = uriOf(location);
    // Budget null: the context builder has already budgeted the parts in tokens.
    const main = await this.safety.filter({ feature: "completion", text, cursorOffset, budget: null, ...(uri ? { uri } : {}) });
    if (main.excluded) return { ok: false, reason: "excluded" };
    if (main.blocked) return { ok: false, reason: "blocked" };
    const pieces: FilteredContext[] = [];
    const extra: PromptText["extraContext"][number][] = [];
    let redactions = main.redactions.length;
    for (let i = 0; i < prompt.extraContext.length; i++) {
      const chunk = prompt.extraContext[i];
      const chunkUri = chunkLocations[i] ? uriOf(chunkLocations[i]!) : undefined;
      const filtered = await this.safety.filter({ feature: "completion", text: chunk.text, budget: null, ...(chunkUri ? { uri: chunkUri } : {}) });
      if (filtered.excluded) continue;
      if (filtered.blocked) return { ok: false, reason: "blocked" };
      redactions += filtered.redactions.length;
      pieces.push(filtered);
      extra.push(chunk.path === undefined ? { text: filtered.text } : { path: chunk.path, text: filtered.text });
    }
    pieces.push(main);
    const parts = splitMain(main.text, main.cursorOffset, prompt.prefix.length > 0);
    const title = `Inline completion in ${uri ? vscode.workspace.asRelativePath(uri) : "an untitled file"}`;
    this.safety.recordSent("completion", title, [...extra.map((c) => c.text), `${parts.prefix}${parts.currentLinePrefix}<cursor>${parts.suffix}`].join("\n"), pieces);
    return { ok: true, prompt: { ...parts, extraContext: extra }, redactions };
  }
}
