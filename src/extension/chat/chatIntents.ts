/** What each intent of the chat view asks the controller to do, in one place. */
import type { WebviewToHost } from "../../core/chatProtocol.ts";
import type { ChatController } from "./chatController.ts";

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
      return chat.showHistory();
    case "renameConversation":
      return chat.renameCurrent();
    case "deleteConversation":
      return chat.deleteCurrent();
    case "setChip":
      return chat.editorContext.setAttached(message.kind, message.attached);
    case "showChip":
      return chat.editorContext.show(message.kind);
    case "showAttachment":
      return chat.showAttachment(message.turnId, message.index);
    case "showTurn":
      return chat.showTurnText(message.turnId);
    case "conversationRejected":
      return chat.viewRejectedConversation();
    case "codeAction":
      return chat.codeAction(message.action, message.code);
    default:
      // The view's own intents (ready, selectModel, showLogs, openLink…) are ChatViewProvider's.
      return;
  }
}
