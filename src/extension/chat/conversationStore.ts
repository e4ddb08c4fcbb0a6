/**
 * Conversations on disk: one JSON file per conversation in the extension's global storage, each written
 * atomically (a temporary file in the same folder, then rename), so a crash mid-write leaves the old file or the
 * new one, never half of either. No `vscode` import: the unit tests run it against a temporary folder.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  isConversationId,
  parseStoredConversation,
  type ConversationSummary,
  type StoredConversation,
} from "../../core/chat/conversation.ts";

export class ConversationStore {
  /** Serialises writes per conversation so two saves never race on the rename. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    readonly folder: string,
    private readonly onWarning: (message: string) => void = () => undefined,
  ) {}

  private fileFor(id: string): string {
    if (!isConversationId(id)) throw new Error("invalid conversation id");
    return path.join(this.folder, `${id}.json`);
  }

  /** Writes the conversation atomically; resolves when it is on disk. */
  save(conversation: StoredConversation): Promise<void> {
    const file = this.fileFor(conversation.id);
    const json = JSON.stringify(conversation);
    const previous = this.queues.get(conversation.id) ?? Promise.resolve();
    const next = previous.then(async () => {
      await mkdir(this.folder, { recursive: true });
      const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await writeFile(temp, json, { encoding: "utf8", mode: 0o600 });
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
      }
    });
    const settled = next.catch(() => undefined);
    this.queues.set(conversation.id, settled);
    void settled.then(() => {
      if (this.queues.get(conversation.id) === settled) this.queues.delete(conversation.id);
    });
    return next;
  }

  async load(id: string): Promise<StoredConversation | undefined> {
    if (!isConversationId(id)) return undefined;
    await this.queues.get(id);
    let raw: string;
    try {
      raw = await readFile(this.fileFor(id), "utf8");
    } catch {
      return undefined;
    }
    try {
      const parsed = parseStoredConversation(JSON.parse(raw));
      if (!parsed) this.onWarning(`conversation ${id}: unrecognised file format, ignored`);
      return parsed;
    } catch {
      this.onWarning(`conversation ${id}: unreadable JSON, ignored`);
      return undefined;
    }
  }

  /** The file of conversation `id` (to open a damaged one as text). */
  pathOf(id: string): string {
    return this.fileFor(id);
  }

  /**
   * All conversations, most recently updated first; a file that cannot be read is listed as `damaged` (never
   * silently left out). Temporary and foreign files are ignored.
   */
  async list(): Promise<ConversationSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const summaries: ConversationSummary[] = [];
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const id = name.slice(0, -".json".length);
      if (!isConversationId(id)) continue;
      const conversation = await this.load(id);
      if (conversation) summaries.push({ id, title: conversation.title, updatedAt: conversation.updatedAt, turnCount: conversation.turns.length });
      else {
        const modified = await stat(path.join(this.folder, name)).then((s) => s.mtimeMs, () => 0);
        summaries.push({ id, title: id, updatedAt: modified, turnCount: 0, damaged: true });
      }
    }
    return summaries.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async rename(id: string, title: string): Promise<StoredConversation | undefined> {
    const conversation = await this.load(id);
    if (!conversation) return undefined;
    conversation.title = title.trim().slice(0, 200) || conversation.title;
    conversation.updatedAt = Date.now();
    await this.save(conversation);
    return conversation;
  }

  async delete(id: string): Promise<void> {
    await this.queues.get(id);
    await rm(this.fileFor(id), { force: true });
  }
}
