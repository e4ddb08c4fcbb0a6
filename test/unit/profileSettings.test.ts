// `npm start` writes machine-scoped settings (the model paths) where a remote host applies them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { placeSettings } from "../runner/profileSettings.ts";

test("model paths go to the Machine settings, other settings to the User settings", () => {
  const placed = placeSettings(
    { user: { "editor.fontSize": 15 }, machine: {} },
    { "privateCoder.chat.modelPath": "/m/a.gguf", "privateCoder.completion.modelPath": "/m/a.gguf", "privateCoder.completion.enabled": false },
  );
  assert.deepEqual(placed.machine, { "privateCoder.chat.modelPath": "/m/a.gguf", "privateCoder.completion.modelPath": "/m/a.gguf" });
  assert.deepEqual(placed.user, { "editor.fontSize": 15, "privateCoder.completion.enabled": false });
});

test("a model path an older start left in the User settings moves to the Machine settings; the user's later choice wins", () => {
  const placed = placeSettings(
    { user: { "privateCoder.chat.modelPath": "/old.gguf", "privateCoder.engine.threads": 2 }, machine: { "privateCoder.chat.modelPath": "/picked.gguf" } },
    {},
  );
  assert.deepEqual(placed.user, {});
  assert.deepEqual(placed.machine, { "privateCoder.chat.modelPath": "/picked.gguf", "privateCoder.engine.threads": 2 });
});
