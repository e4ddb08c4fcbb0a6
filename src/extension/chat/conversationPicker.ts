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

type ConversationItem = vscode.QuickPickItem & { readonly id: string };

export class ConversationPicker implements vscode.Disposable {
  private pick: vscode.QuickPick<ConversationItem> | undefined;

  constructor(
    private readonly store: ConversationStore,
    private readonly actions: ConversationActions,
  ) {}

  /** Shows the saved conversations; resolves when the pick closes. */
  async show(): Promise<void> {
    const renameButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("edit"), tooltip: "Rename" };
    const deleteButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon("trash"), tooltip: "Delete" };
    const pick = vscode.window.createQuickPick<ConversationItem>();
    this.pick = pick;
    pick.title = "Private Coder: Conversations";
    pick.placeholder = "Open a saved conversation";
    const load = async (): Promise<void> => {
      const list = await this.store.list();
      pick.items = list.map((c) => ({
        id: c.id,
        label: c.title,
        description: `${c.turnCount} message${c.turnCount === 1 ? "" : "s"}`,
        detail: new Date(c.updatedAt).toLocaleString(),
        buttons: [renameButton, deleteButton],
      }));
      if (list.length === 0) pick.placeholder = "No saved conversations yet";
    };
    await load();
    await new Promise<void>((resolve) => {
      pick.onDidTriggerItemButton(async (e) => {
        if (e.button === renameButton) await this.rename(e.item.id);
        else await this.delete(e.item.id);
        await load();
        pick.show();
      });
      pick.onDidAccept(async () => {
        const item = pick.selectedItems[0];
        pick.hide();
        if (item) await this.actions.open(item.id);
      });
      pick.onDidHide(() => {
        pick.dispose();
        if (this.pick === pick) this.pick = undefined;
        resolve();
      });
      pick.show();
    });
  }

  /** Asks for a new name for conversation `id`. */
  async rename(id: string): Promise<void> {
    const title = await vscode.window.showInputBox({
      title: "Rename conversation",
      value: (await this.titleOf(id)) ?? "",
      validateInput: (v) => (v.trim() === "" ? "Enter a name" : undefined),
    });
    if (title !== undefined) await this.actions.rename(id, title);
  }

  /** Deletes conversation `id` once the user confirms. */
  async delete(id: string): Promise<void> {
    const title = await this.titleOf(id);
    const choice = await vscode.window.showWarningMessage(`Delete the conversation "${title ?? id}"?`, { modal: true }, "Delete");
    if (choice === "Delete") await this.actions.delete(id);
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
