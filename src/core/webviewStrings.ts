/**
 * The user-facing strings of the chat webview, defined once with their English text. The webview cannot call
 * `vscode.l10n`, so the host translates each one (`localizedChatStrings()` in src/extension/webviewStrings.ts, whose
 * literal `vscode.l10n.t("…")` calls the export tool finds) and hands the result to the page as JSON in a
 * `<script type="application/json" id="${CHAT_STRINGS_ELEMENT_ID}">` element; the webview reads it at startup with
 * `parseChatStrings`, which falls back to these English texts for anything missing or malformed. `{0}`, `{1}` are
 * placeholders filled by `formatString`.
 */
export const CHAT_STRINGS = {
  newChat: "New Chat",
  conversations: "Conversations…",
  renameConversation: "Rename Conversation",
  deleteConversation: "Delete Conversation",
  untitledConversation: "New chat",
  conversationLabel: "Conversation",
  inputPlaceholder: "Ask about your code: / for commands, @ for context (Enter to send, Shift+Enter for a new line, ↑ for history)",
  inputLabel: "Message",
  send: "Send",
  stop: "Stop",
  regenerate: "Regenerate",
  dismiss: "Dismiss",
  emptyPrompt: "Ask a question about your code. Attach the active file or the selection with the chips below.",
  emptyHint: "Explain Selection (editor context menu) explains the selected code here.",
  modelLoaded: "Model loaded",
  modelLoadsOnFirstUse: "The model loads when you first use it.",
  noModelTitle: "No model selected",
  noModelHint: "Private Coder runs a GGUF model on this machine. Nothing you type leaves it.",
  selectModel: "Select Model…",
  startingEngine: "Starting the engine for {0}…",
  loadingModel: "Loading {0}… {1}%",
  engineStoppedTitle: "The engine stopped",
  restartEngine: "Restart",
  openLogs: "Open Logs",
  errorTitle: "Error",
  roleUser: "You",
  roleAssistant: "Private Coder",
  turnDropped: "not sent to the model (context full)",
  stoppedByUser: "Stopped.",
  stoppedAtMaxTokens: "The answer reached its length limit.",
  stoppedContextFull: "The answer was cut short: the context window is full.",
  oneSecretRedacted: "1 secret redacted",
  secretsRedacted: "{0} secrets redacted",
  attachmentTitle: "Open exactly what the model received",
  chipUnavailable: "Cannot be attached: {0}",
  chipAttached: "Attached to the next message: click to remove",
  chipDetached: "Click to attach to the next message",
  chipSelection: "Selection {0}",
  chipExcluded: "excluded",
  chipShowTitle: "Open exactly what the model would receive",
  chipShowLabel: "Show filtered text",
  budgetExact: "This conversation uses {0} of the model's {1}-token context window.",
  budgetEstimated: "This conversation uses about {0} of the model's {1}-token context window.",
  budgetDropped: "{0} older message(s) no longer fit and are not sent.",
  codeCopy: "Copy",
  codeCopyTitle: "Copy to the clipboard",
  codeCopied: "Copied",
  codeInsert: "Insert",
  codeInsertTitle: "Insert at the cursor in the editor",
  codeApply: "Apply",
  codeApplyTitle: "Show a diff against the active editor, then accept or reject",
  notApplied: "The change was not applied.",
  notInserted: "Nothing was inserted: open an editor first.",
  turnTruncated: "Showing the first {0} of {1} characters.",
  openFullText: "Open Full Text",
  messageTooLong: "The message is too long to send ({0} characters; at most {1}). Shorten it, or attach the file or selection instead.",
  slashExplain: "Explain the selected code",
  slashFix: "Fix the selection's problems (uses @problems)",
  slashTests: "Write tests in the project's test framework",
  slashDoc: "Add a doc comment in the language's style",
  slashEdit: "Rewrite the selection as instructed, shown as a diff",
  slashClear: "Start a new chat",
  mentionFile: "A workspace file (type to search)",
  mentionSelection: "The selected code",
  mentionProblems: "Problems of the current file, with their lines",
  mentionChanges: "Uncommitted changes (git diff)",
  mentionTerminal: "Output of the last command in the terminal",
  mentionSymbol: "A function or class of the current file",
  completionNone: "No matches",
  fromCache: "from cache",
  fromCacheTitle: "Answered from the local answer cache: the same question was asked on the same context. Regenerate asks the model again.",
  summaryOf: "Summary of {0} earlier message(s), written by the model to fit the context window",
} as const;

export type ChatStringKey = keyof typeof CHAT_STRINGS;
export type ChatStrings = Record<ChatStringKey, string>;

/** The id of the JSON element the host writes the strings into. */
export const CHAT_STRINGS_ELEMENT_ID = "private-coder-strings";

const PLACEHOLDER = /\{(\d+)\}/g;

/** The placeholders of a text, sorted (`{1}` before `{0}` in a translation is fine, a lost one is not). */
export function placeholders(text: string): string[] {
  return Array.from(text.matchAll(PLACEHOLDER), (m) => m[0]).sort();
}

/**
 * The strings the webview uses: each key of `CHAT_STRINGS` from `raw` when it is a string with the same
 * placeholders as the English text, else the English text. Unknown keys are ignored, so a stale or damaged blob
 * never breaks the view.
 */
export function parseChatStrings(raw: unknown): ChatStrings {
  const source = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const result = { ...CHAT_STRINGS } as ChatStrings;
  for (const key of Object.keys(CHAT_STRINGS) as ChatStringKey[]) {
    const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
    if (typeof value === "string" && value.trim() !== "" && placeholders(value).join() === placeholders(CHAT_STRINGS[key]).join()) result[key] = value;
  }
  return result;
}

/** Fills `{0}`, `{1}`… with `args` (as `vscode.l10n.t` does); a placeholder without an argument stays as it is. */
export function formatString(template: string, ...args: readonly (string | number)[]): string {
  return template.replace(PLACEHOLDER, (match, index: string) => {
    const arg = args[Number(index)];
    return arg === undefined ? match : String(arg);
  });
}

/**
 * The strings as the text of a `<script type="application/json">` element: JSON with `<` escaped, so no value can
 * close the element or open another one.
 */
export function serializeChatStrings(strings: ChatStrings): string {
  return JSON.stringify(strings).replace(/</g, "\\u003c");
}
