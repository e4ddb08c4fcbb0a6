/**
 * The text the chat model sees: the system prompt, how attachments are written into a user turn, and the Explain
 * Selection request. Everything here receives text that has already been through the safety filter.
 */

export const CHAT_SYSTEM_PROMPT =
  "You are Private Coder, a coding assistant running locally in the user's editor. Answer concisely and accurately. " +
  "Use Markdown. Put code in fenced code blocks with a language tag. Text such as <secret:rule#1> is a placeholder " +
  "for a value the user's safety filter removed: keep it as it is and never guess the value.";

export interface ModelAttachment {
  readonly kind: "file" | "selection" | "explain" | "edit" | "problems" | "changes" | "terminal" | "symbol";
  readonly label: string;
  /** Filtered text. */
  readonly text: string;
  readonly language?: string;
}

/** How each kind of attachment is introduced to the model. */
const ATTACHMENT_HEADINGS = {
  file: "File",
  selection: "Selected code from",
  problems: "Problems (diagnostics) reported in",
  changes: "Uncommitted changes (git diff) in",
  terminal: "Output of the last terminal command",
  symbol: "The symbol",
} as const;

/** A fence longer than any run of backticks in `text`, so attached code cannot close it early. */
export function fenceFor(text: string): string {
  let longest = 0;
  for (const m of text.matchAll(/`{3,}/g)) longest = Math.max(longest, m[0].length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** One user turn as the model sees it: attachments first, then the question. */
export function userTurnText(text: string, attachments: readonly ModelAttachment[]): string {
  const parts: string[] = [];
  for (const a of attachments) {
    if (a.kind === "explain" || a.kind === "edit") {
      parts.push(a.text);
      continue;
    }
    const fence = fenceFor(a.text);
    parts.push(`${ATTACHMENT_HEADINGS[a.kind]} ${a.label}:\n${fence}${a.language ?? ""}\n${a.text}\n${fence}`);
  }
  if (text.trim() !== "") parts.push(text);
  return parts.join("\n\n");
}

export interface ExplainSource {
  readonly fileName: string;
  readonly language: string;
  /** 1-based, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  readonly before: string;
  readonly code: string;
  readonly after: string;
}

/** The Explain Selection request (unfiltered: the caller filters the whole text before it is stored or sent). */
export function explainRequestText(source: ExplainSource): string {
  const fence = fenceFor(source.before + source.code + source.after);
  const lines = source.startLine === source.endLine ? `line ${source.startLine}` : `lines ${source.startLine}-${source.endLine}`;
  const parts = [`Explain this ${source.language} code from \`${source.fileName}\` (${lines}): what it does, how, and anything surprising.`];
  if (source.before.trim() !== "") parts.push(`Code just before it, for context:\n${fence}${source.language}\n${source.before}\n${fence}`);
  parts.push(`The code to explain:\n${fence}${source.language}\n${source.code}\n${fence}`);
  if (source.after.trim() !== "") parts.push(`Code just after it, for context:\n${fence}${source.language}\n${source.after}\n${fence}`);
  return parts.join("\n\n");
}

/** A conversation's title from its first message: the first line, at most 60 characters. */
export function titleFrom(text: string): string {
  const line = (text.split("\n").find((l) => l.trim() !== "" && !/^\s*(```|~~~)/.test(l)) ?? "").trim().replace(/\s+/g, " ");
  if (line === "") return "New chat";
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
