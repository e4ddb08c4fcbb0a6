import * as vscode from "vscode";
import { CHAT_STRINGS_ELEMENT_ID, serializeChatStrings, type ChatStrings } from "../core/webviewStrings.ts";

/**
 * The chat webview's strings (keys and English texts from `CHAT_STRINGS` in src/core/webviewStrings.ts) in the
 * display language. Each entry calls `vscode.l10n.t` with the English text as a literal, so `npm run l10n:export`
 * finds it; test/unit/l10n.test.ts checks that these literals equal `CHAT_STRINGS`, and the type that no key is
 * missing or extra.
 */
export function localizedChatStrings(): ChatStrings {
  return {
    newChat: vscode.l10n.t("New Chat"),
    conversations: vscode.l10n.t("Conversations…"),
    renameConversation: vscode.l10n.t("Rename Conversation"),
    deleteConversation: vscode.l10n.t("Delete Conversation"),
    untitledConversation: vscode.l10n.t("New chat"),
    conversationLabel: vscode.l10n.t("Conversation"),
    inputPlaceholder: vscode.l10n.t("Ask about your code: / for commands, @ for context (Enter to send, Shift+Enter for a new line, ↑ for history)"),
    inputLabel: vscode.l10n.t("Message"),
    send: vscode.l10n.t("Send"),
    stop: vscode.l10n.t("Stop"),
    regenerate: vscode.l10n.t("Regenerate"),
    dismiss: vscode.l10n.t("Dismiss"),
    emptyPrompt: vscode.l10n.t("Ask a question about your code. Attach the active file or the selection with the chips below."),
    emptyHint: vscode.l10n.t("Explain Selection (editor context menu) explains the selected code here."),
    modelLoaded: vscode.l10n.t("Model loaded"),
    modelLoadsOnFirstUse: vscode.l10n.t("The model loads when you first use it."),
    noModelTitle: vscode.l10n.t("No model selected"),
    noModelHint: vscode.l10n.t("Private Coder runs a GGUF model on this machine. Nothing you type leaves it."),
    selectModel: vscode.l10n.t("Select Model…"),
    startingEngine: vscode.l10n.t("Starting the engine for {0}…"),
    loadingModel: vscode.l10n.t("Loading {0}… {1}%"),
    engineStoppedTitle: vscode.l10n.t("The engine stopped"),
    restartEngine: vscode.l10n.t("Restart"),
    openLogs: vscode.l10n.t("Open Logs"),
    errorTitle: vscode.l10n.t("Error"),
    roleUser: vscode.l10n.t("You"),
    roleAssistant: vscode.l10n.t("Private Coder"),
    turnDropped: vscode.l10n.t("not sent to the model (context full)"),
    stoppedByUser: vscode.l10n.t("Stopped."),
    stoppedAtMaxTokens: vscode.l10n.t("The answer reached its length limit."),
    stoppedContextFull: vscode.l10n.t("The answer was cut short: the context window is full."),
    oneSecretRedacted: vscode.l10n.t("1 secret redacted"),
    secretsRedacted: vscode.l10n.t("{0} secrets redacted"),
    attachmentTitle: vscode.l10n.t("Open exactly what the model received"),
    chipUnavailable: vscode.l10n.t("Cannot be attached: {0}"),
    chipAttached: vscode.l10n.t("Attached to the next message: click to remove"),
    chipDetached: vscode.l10n.t("Click to attach to the next message"),
    chipSelection: vscode.l10n.t("Selection {0}"),
    chipExcluded: vscode.l10n.t("excluded"),
    chipShowTitle: vscode.l10n.t("Open exactly what the model would receive"),
    chipShowLabel: vscode.l10n.t("Show filtered text"),
    budgetExact: vscode.l10n.t("This conversation uses {0} of the model's {1}-token context window."),
    budgetEstimated: vscode.l10n.t("This conversation uses about {0} of the model's {1}-token context window."),
    budgetDropped: vscode.l10n.t("{0} older message(s) no longer fit and are not sent."),
    codeCopy: vscode.l10n.t("Copy"),
    codeCopyTitle: vscode.l10n.t("Copy to the clipboard"),
    codeCopied: vscode.l10n.t("Copied"),
    codeInsert: vscode.l10n.t("Insert"),
    codeInsertTitle: vscode.l10n.t("Insert at the cursor in the editor"),
    codeApply: vscode.l10n.t("Apply"),
    codeApplyTitle: vscode.l10n.t("Show a diff against the active editor, then accept or reject"),
    notApplied: vscode.l10n.t("The change was not applied."),
    notInserted: vscode.l10n.t("Nothing was inserted: open an editor first."),
    turnTruncated: vscode.l10n.t("Showing the first {0} of {1} characters."),
    openFullText: vscode.l10n.t("Open Full Text"),
    messageTooLong: vscode.l10n.t("The message is too long to send ({0} characters; at most {1}). Shorten it, or attach the file or selection instead."),
    slashExplain: vscode.l10n.t("Explain the selected code"),
    slashFix: vscode.l10n.t("Fix the selection's problems (uses @problems)"),
    slashTests: vscode.l10n.t("Write tests in the project's test framework"),
    slashDoc: vscode.l10n.t("Add a doc comment in the language's style"),
    slashEdit: vscode.l10n.t("Rewrite the selection as instructed, shown as a diff"),
    slashClear: vscode.l10n.t("Start a new chat"),
    mentionFile: vscode.l10n.t("A workspace file (type to search)"),
    mentionSelection: vscode.l10n.t("The selected code"),
    mentionProblems: vscode.l10n.t("Problems of the current file, with their lines"),
    mentionChanges: vscode.l10n.t("Uncommitted changes (git diff)"),
    mentionTerminal: vscode.l10n.t("Output of the last command in the terminal"),
    mentionSymbol: vscode.l10n.t("A function or class of the current file"),
    completionNone: vscode.l10n.t("No matches"),
    fromCache: vscode.l10n.t("from cache"),
    fromCacheTitle: vscode.l10n.t("Answered from the local answer cache: the same question was asked on the same context. Regenerate asks the model again."),
    summaryOf: vscode.l10n.t("Summary of {0} earlier message(s), written by the model to fit the context window"),
  };
}

/**
 * The element that hands the strings to the chat webview, for its HTML (before the script that reads it). JSON
 * data, not a script: CSP does not apply to it, and the nonce only marks it as ours.
 */
export function chatStringsElement(nonce: string): string {
  return `<script type="application/json" id="${CHAT_STRINGS_ELEMENT_ID}" nonce="${nonce}">${serializeChatStrings(localizedChatStrings())}</script>`;
}
