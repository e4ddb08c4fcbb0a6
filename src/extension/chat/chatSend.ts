/**
 * A message typed into the chat, from text to question: the safety filter, slash commands (`/clear` and `/edit`
 * act, the others ask about the selection), @-items resolved into attachments, the attached chips, and the answer
 * cache. Anything that cannot be honoured (an unknown command or item, an excluded or binary file…) is said in
 * words and nothing is sent; the message stays in the input history (↑).
 */
import * as vscode from "vscode";
import type { HostToWebview } from "../../core/chatProtocol.ts";
import type { ChatQuestion, StoredAttachment, StoredConversation } from "../../core/chat/conversation.ts";
import { MAX_MENTIONS, mentionBudgetChars, parseMentions } from "../../core/chat/mentions.ts";
import { parseSlashCommand, SLASH_COMMANDS } from "../../core/chat/slashCommands.ts";
import type { AnswerCacheService } from "./answerCacheService.ts";
import type { ContextItems } from "./contextItems.ts";
import type { EditorContext } from "./editorContext.ts";
import type { ModelInput } from "./modelInput.ts";
import { slashCommandQuestion } from "./slashCommands.ts";

/** What sending needs of the chat. */
export interface SendHost {
  readonly input: ModelInput;
  readonly editorContext: EditorContext;
  readonly items: ContextItems;
  readonly cache: AnswerCacheService;
  readonly current: StoredConversation;
  /** The model's context window as last planned (for the @-items' budget). */
  contextTokens(): number;
  post(message: HostToWebview): void;
  notice(level: "info" | "warning" | "error", text: string): void;
  newChat(): Promise<void>;
  /** `/edit`: Edit Selection with this instruction (empty: ask for one). */
  editSelection(instruction: string): Promise<void>;
  /** Adds the question and its answer: from the model, or `cached` text from the answer cache. */
  answer(question: ChatQuestion, cached?: string): Promise<void>;
}

export async function sendMessage(host: SendHost, text: string): Promise<void> {
  const filtered = await host.input.userMessage(text, "chat");
  if (filtered.refused) return host.notice("error", vscode.l10n.t("The message was not sent: {0}.", filtered.refused));
  const sent = filtered.result.text;
  // The input history in the view keeps what was sent, never the raw secrets typed (it is saved to disk).
  host.post({ type: "inputAccepted", text: sent });
  const warnings: string[] = [];
  const redactions = filtered.result.redactions.length;
  if (redactions > 0) {
    warnings.push(
      redactions === 1
        ? vscode.l10n.t("1 secret was redacted from your message before it reached the model.")
        : vscode.l10n.t("{0} secrets were redacted from your message before it reached the model.", redactions),
    );
  }
  const slash = parseSlashCommand(sent);
  if (slash?.kind === "unknown") {
    return host.notice("error", vscode.l10n.t("/{0} is not a command; nothing was sent. Commands: {1}.", slash.name, SLASH_COMMANDS.map((c) => `/${c}`).join(", ")));
  }
  if (slash?.command === "clear") return host.newChat();
  if (slash?.command === "edit") return host.editSelection(slash.rest);
  const parsed = parseMentions(sent);
  if (parsed.unknown.length > 0) {
    return host.notice(
      "error",
      vscode.l10n.t("Not sent: {0} is not a context item. Use @file:path, @selection, @problems, @changes, @terminal or @symbol:name.", parsed.unknown.join(", ")),
    );
  }
  if (parsed.mentions.length > MAX_MENTIONS) return host.notice("error", vscode.l10n.t("Not sent: at most {0} @-items in one message.", MAX_MENTIONS));
  const budgetChars = mentionBudgetChars(host.contextTokens(), parsed.mentions.length + (slash ? 2 : 0));
  const attachments: StoredAttachment[] = [];
  let questionText = sent;
  if (slash) {
    const asked = await slashCommandQuestion(slash.command, slash.rest, host.editorContext.lastEditor, { input: host.input, items: host.items, budgetChars });
    if (typeof asked === "string") return host.notice("error", asked);
    attachments.push(...asked.attachments);
    questionText = asked.text;
  } else attachments.push(...(await host.editorContext.takeAttachments()));
  if (parsed.mentions.length > 0) {
    const resolved = await host.items.resolve(parsed.mentions, budgetChars);
    if (resolved.errors.length > 0) return host.notice("error", [vscode.l10n.t("The message was not sent."), ...resolved.errors].join(" "));
    attachments.push(...resolved.attachments);
    warnings.push(...resolved.cut);
  }
  if (warnings.length > 0) host.notice("warning", warnings.join(" "));
  const question: ChatQuestion = { feature: "chat", text: questionText, attachments };
  // The conversation asked in: a New Chat clicked as the answer ends must not make the answer look missing.
  const conversation = host.current;
  const history = [...conversation.turns];
  const hit = host.cache.lookup(question, history);
  await host.answer(question, hit?.answer);
  if (!hit) host.cache.remember(question, history, conversation.turns.at(-1), conversation.id);
}
