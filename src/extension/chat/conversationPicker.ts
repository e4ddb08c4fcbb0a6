/**
 * The saved conversations as a quick pick (open one; rename or delete it with the item's buttons), and the rename
 * and delete prompts the chat view's toolbar uses for the conversation shown. The changes themselves are the
 * controller's: renaming or deleting the conversation on screen also updates the view.
 */
import * as vscode from "vscode";
import type { StoredConversation } from "../../core/chat/conversation.ts";
import type { ConversationStore } from "./conversationStore.ts";

/** What the picker acts on. */
export interface ConversationActions {
  /** The conversation shown now (it may not be saved yet, so its title comes from here, not the store). */
  readonly current: StoredConversation;
  open(id: string): Promise<boolean>;
  rename(id: string, title: string): Promise<void>;
  delete(id: string): Promise<void>;
}

type ConversationItem = vscode.QuickPickItem & { readonly id: string; readonly damaged?: boolean };

export class ConversationPicker implements vscode.Disposable {
  private pick: vscode.QuickPick<ConversationItem> | undefined;

  constructor(
    private readonly store: ConversationStore,
    private readonly actions: ConversationActions,
  ) {}

  /** Shows the saved conversations; resolves when the pick closes. */
  async show(): Promise<void> {
    const renameButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("edit"), tooltip: vscode.l10n.t("Rename") };
    const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("trash"), tooltip: vscode.l10n.t("Delete") };
    const openFileButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("go-to-file"), tooltip: vscode.l10n.t("Open File") };
    const pick = vscode.window.createQuickPick<ConversationItem>();
    this.pick = pick;
    pick.title = vscode.l10n.t("Private Coder: Conversations");
    pick.placeholder = vscode.l10n.t("Open a saved conversation");
    const load = async (): Promise<void> => {
      const list = await this.store.list();
      pick.items = list.map((c) =>
        c.damaged
          ? {
              id: c.id,
              damaged: true,
              label: `$(warning) ${c.title}`,
              description: vscode.l10n.t("damaged: cannot be read"),
              detail: vscode.l10n.t("Open it to see the file, or delete it."),
              buttons: [openFileButton, deleteButton],
            }
          : {
              id: c.id,
              label: c.title,
              description: c.turnCount === 1 ? vscode.l10n.t("1 message") : vscode.l10n.t("{0} messages", c.turnCount),
              detail: new Date(c.updatedAt).toLocaleString(vscode.env.language),
              buttons: [renameButton, deleteButton],
            },
      );
      if (list.length === 0) pick.placeholder = vscode.l10n.t("No saved conversations yet");
    };
    await load();
    await new Promise<void>((resolve) => {
      pick.onDidTriggerItemButton(async (e) => {
        if (e.button === renameButton) await this.rename(e.item.id);
        else if (e.button === openFileButton) await this.openFile(e.item.id);
        else await this.delete(e.item.id);
        await load();
        pick.show();
      });
      pick.onDidAccept(async () => {
        const item = pick.selectedItems[0];
        pick.hide();
        if (item?.damaged) await this.openFile(item.id);
        else if (item) await this.actions.open(item.id);
      });
      pick.onDidHide(() => {
        pick.dispose();
        if (this.pick === pick) this.pick = undefined;
        resolve();
      });
      pick.show();
    });
  }

  /** Shows a conversation's file as text (a damaged one cannot be opened as a conversation). */
  async openFile(id: string): Promise<void> {
    await vscode.window.showTextDocument(vscode.Uri.file(this.store.pathOf(id)), { preview: true });
  }

  /** Asks for a new name for conversation `id`. */
  async rename(id: string): Promise<void> {
    const title = await vscode.window.showInputBox({
      title: vscode.l10n.t("Rename Conversation"),
      value: (await this.titleOf(id)) ?? "",
      validateInput: (v) => (v.trim() === "" ? vscode.l10n.t("Enter a name") : undefined),
    });
    if (title !== undefined) await this.actions.rename(id, title);
  }

  /** Deletes conversation `id` once the user confirms. */
  async delete(id: string): Promise<void> {
    const title = await this.titleOf(id);
    const deleteAction = vscode.l10n.t("Delete");
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t("Delete the conversation \"{0}\"?", title ?? id), { modal: true }, deleteAction);
    if (choice === deleteAction) await this.actions.delete(id);
  }

  private async titleOf(id: string): Promise<string | undefined> {
    const current = this.actions.current;
    return id === current.id ? current.title : (await this.store.load(id))?.title;
  }

  dispose(): void {
    // Disposing hides the pick, which resolves a pending `show`.
    this.pick?.dispose();
    this.pick = undefined;
  }
}
