// The marks on a turn besides its text: "from cache" with Regenerate on an answer from the answer cache, and the
// note on a summary that stands for older messages of a long conversation.
import type { AttachmentKind, TurnView } from "../../core/chatProtocol.ts";
import { button, el } from "./dom.ts";
import { t } from "./strings.ts";

/** The codicon of an attachment chip. */
export function attachmentIcon(kind: AttachmentKind): string {
  const icons: Record<AttachmentKind, string> = {
    file: "file",
    selection: "selection",
    explain: "lightbulb",
    edit: "edit",
    problems: "warning",
    changes: "git-compare",
    terminal: "terminal",
    symbol: "symbol-method",
  };
  return icons[kind];
}

/** Badges for the turn's meta line. */
export function turnBadges(turn: TurnView): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (turn.fromCache) {
    const badge = el("span", "turn-cached", t("fromCache"));
    badge.title = t("fromCacheTitle");
    out.push(badge);
  }
  if (turn.summaryOf) out.push(el("span", "turn-summary", t("summaryOf", turn.summaryOf)));
  return out;
}

/** Regenerate under an answer from the cache (the last one only: Regenerate answers the last question). */
export function cachedAnswerActions(turn: TurnView, isLast: boolean, generating: boolean, regenerate: () => void): HTMLElement | undefined {
  if (!turn.fromCache || !isLast || generating) return undefined;
  const box = el("div", "turn-cache-actions");
  box.append(button(t("regenerate"), regenerate, { secondary: true, icon: "refresh", className: "regenerate-cached", title: t("fromCacheTitle") }));
  return box;
}
