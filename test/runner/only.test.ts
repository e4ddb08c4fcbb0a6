import assert from "node:assert/strict";
import { test } from "node:test";
import { selectedByOnly } from "./results.ts";

test("PRIVATE_CODER_ONLY: unset runs everything; prefixes pick integration suites and ui: scripts; 99 stays", () => {
  assert.equal(selectedByOnly("03-chat.test.cjs", "integration", undefined), true);
  assert.equal(selectedByOnly("04-chat.ui.ts", "ui", ""), true);
  assert.equal(selectedByOnly("03-chat.test.cjs", "integration", "03,ui:04"), true);
  assert.equal(selectedByOnly("04-completion.test.cjs", "integration", "03,ui:04"), false);
  assert.equal(selectedByOnly("99-deactivation.test.cjs", "integration", "03"), true);
  assert.equal(selectedByOnly("04-chat.ui.ts", "ui", "03,ui:04"), true);
  assert.equal(selectedByOnly("05-completion.ui.ts", "ui", "03,ui:04"), false);
  assert.equal(selectedByOnly("01-chat-view.ui.ts", "ui", "03"), false);
  assert.equal(selectedByOnly("03-chat.test.cjs", "integration", "ui:04"), false);
  assert.equal(selectedByOnly("99-deactivation.test.cjs", "integration", "ui:04"), false);
});
