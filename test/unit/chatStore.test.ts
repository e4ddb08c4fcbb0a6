import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ConversationStore } from "../../src/extension/chat/conversationStore.ts";
import { newConversationId, type StoredConversation } from "../../src/core/chat/conversation.ts";

function conversation(id: string, title = "Hello", updatedAt = 1): StoredConversation {
  return {
    format: 1,
    id,
    title,
    createdAt: 1,
    updatedAt,
    turns: [{ id: "t1", role: "user", text: "hi <secret:github-token#1>", attachments: [{ kind: "selection", label: "a.ts:1", text: "x", redactions: 1 }], createdAt: 1 }],
  };
}

async function withStore(fn: (store: ConversationStore, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "pc-store-"));
  try {
    await fn(new ConversationStore(path.join(dir, "conversations")), path.join(dir, "conversations"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test("save, load, list (newest first), rename and delete, one file each", async () => {
  await withStore(async (store, dir) => {
    await store.save(conversation("a1", "First", 10));
    await store.save(conversation("b2", "Second", 20));
    assert.deepEqual((await readdir(dir)).sort(), ["a1.json", "b2.json"]);
    assert.deepEqual((await store.load("a1"))?.turns[0].text, "hi <secret:github-token#1>");
    assert.deepEqual((await store.list()).map((c) => c.id), ["b2", "a1"]);
    await store.rename("a1", "  Renamed  ");
    assert.equal((await store.load("a1"))?.title, "Renamed");
    await store.delete("b2");
    assert.deepEqual(await readdir(dir), ["a1.json"]);
    assert.equal(await store.load("b2"), undefined);
  });
});

test("writes are atomic: temp file + rename, no temp left, concurrent saves end with the last one", async () => {
  await withStore(async (store, dir) => {
    const saves = Array.from({ length: 20 }, (_, i) => store.save(conversation("c1", `v${i}`, i)));
    await Promise.all(saves);
    assert.deepEqual(await readdir(dir), ["c1.json"], "no temporary file is left behind");
    const parsed = JSON.parse(await readFile(path.join(dir, "c1.json"), "utf8")) as StoredConversation;
    assert.equal(parsed.title, "v19");
  });
});

test("a half-written temp file is ignored; a damaged conversation file is listed as damaged, never silently dropped", async () => {
  await withStore(async (store, dir) => {
    await store.save(conversation("ok"));
    await writeFile(path.join(dir, "ok.json.abc.tmp"), "{\"format\":1,");
    await writeFile(path.join(dir, "bad.json"), "{not json");
    await writeFile(path.join(dir, "other.json"), JSON.stringify({ format: 99 }));
    const list = await store.list();
    assert.deepEqual(list.map((c) => [c.id, c.damaged === true]).sort(), [["bad", true], ["ok", false], ["other", true]]);
    assert.equal(await store.load("bad"), undefined, "a damaged file does not open as a conversation");
    assert.equal(store.pathOf("bad"), path.join(dir, "bad.json"), "it can be opened as a file");
  });
});

test("ids cannot traverse out of the folder", async () => {
  await withStore(async (store) => {
    assert.equal(await store.load("../secret"), undefined);
    assert.throws(() => void store.save(conversation("../evil")));
    assert.match(newConversationId(Date.now(), "a1b2c3d4e5f6"), /^[A-Za-z0-9_-]+$/);
  });
});
