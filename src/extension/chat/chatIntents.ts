/** What each intent of the chat view asks the controller to do, in one place. */
import { MAX_MENTION_ITEMS, type WebviewToHost } from "../../core/chatProtocol.ts";
import type { ChatController } from "./chatController.ts";
import { runCodeAction } from "./codeActions.ts";

export async function handleChatIntent(chat: ChatController, message: WebviewToHost): Promise<void> {
  switch (message.type) {
    case "send":
      return chat.send(message.text);
    case "stop":
      return chat.stop();
    case "regenerate":
      return chat.regenerate();
    case "newChat":
      return chat.newChat();
    case "showHistory":
      return chat.picker.show();
    case "renameConversation":
      return chat.picker.rename(chat.current.id);
    case "deleteConversation":
      return chat.picker.delete(chat.current.id);
    case "setChip":
      return chat.editorContext.setAttached(message.kind, message.attached);
    case "showChip":
      return chat.editorContext.show(message.kind);
    case "showAttachment": {
      const attachment = chat.current.turns.find((t) => t.id === message.turnId)?.attachments[message.index];
      if (attachment) await chat.documents.showAttachment(attachment);
      return;
    }
    case "showTurn": {
      // The whole text of a turn the view shows cut.
      const turn = chat.current.turns.find((t) => t.id === message.turnId);
      if (turn) await chat.documents.show(`${turn.role}-${turn.id}.md`, turn.text);
      return;
    }
    case "mentionQuery": {
      const items = await chat.items.complete(message.kind, message.query);
      return chat.post({ type: "mentionItems", requestId: message.requestId, items: items.slice(0, MAX_MENTION_ITEMS) });
    }
    case "conversationRejected":
      return chat.viewRejectedConversation();
    case "codeAction": {
      const ok = await runCodeAction(message.action, message.code, chat.editorContext.lastEditor, chat.documents);
      return chat.post({ type: "codeActionDone", action: message.action, ok });
    }
    default:
      // The view's own intents (ready, selectModel, showLogs, openLink…) are ChatViewProvider's.
      return;
  }
}
