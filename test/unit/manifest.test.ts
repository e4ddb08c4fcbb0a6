// The manifest (package.json) and the code must agree: every setting is defined once in src/core/settings.ts,
// every command id once in src/core/commandIds.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { SETTINGS, SETTINGS_NLS_PREFIX, checkSetting, coerceSetting, manifestNls, manifestProperties, settingId, type SettingDefinition, type SettingKey } from "../../src/core/settings.ts";
import { CHAT_VIEW_ID, COMMANDS, VIEW_CONTAINER_ID } from "../../src/core/commandIds.ts";

interface Manifest {
  name: string;
  displayName: string;
  main: string;
  engines: { vscode: string };
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, unknown> };
    menus: Record<string, { command?: string; submenu?: string; when?: string }[]>;
    submenus?: { id: string; label: string }[];
    viewsContainers: { activitybar: { id: string }[] };
    views: Record<string, { id: string; type?: string }[]>;
    walkthroughs?: { id: string; title: string; description: string; steps: { id: string; title: string; description: string; media: { markdown?: string }; completionEvents?: string[] }[] }[];
  };
}

const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as Manifest;
/** The manifest's English texts, which its `%key%` references resolve to. */
const nls = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.nls.json"), "utf8")) as Record<string, string>;

/** The English text behind a manifest string: the `package.nls.json` entry of a `%key%` reference. */
function resolved(value: string): string | undefined {
  const match = /^%([^%\s]+)%$/.exec(value);
  return match ? nls[match[1]] : value;
}

test("package.json settings equal the settings table in code (run `npm run sync-settings` to fix)", () => {
  assert.deepEqual(manifest.contributes.configuration.properties, manifestProperties());
});

test("package.nls.json's setting texts equal the settings table's English descriptions (run `npm run sync-settings` to fix)", () => {
  const settingTexts = Object.fromEntries(Object.entries(nls).filter(([key]) => key.startsWith(SETTINGS_NLS_PREFIX)));
  assert.deepEqual(settingTexts, manifestNls());
  for (const [key, def] of Object.entries(SETTINGS) as [SettingKey, SettingDefinition][]) {
    const property = manifest.contributes.configuration.properties[settingId(key)] as { markdownDescription: string; enumDescriptions?: string[] };
    assert.equal(resolved(property.markdownDescription), def.description, key);
    if (def.type === "string" && def.enum) {
      assert.equal(def.enumDescriptions?.length, def.enum.length, `${key}: one description per enum value`);
      assert.deepEqual(property.enumDescriptions?.map(resolved), def.enumDescriptions, key);
    }
  }
});

test("every setting default passes its own validation", () => {
  for (const key of Object.keys(SETTINGS) as SettingKey[]) {
    assert.deepEqual(coerceSetting(key, SETTINGS[key].default), SETTINGS[key].default, key);
    assert.ok(settingId(key).startsWith("privateCoder."), key);
  }
});

test("invalid setting values fall back to the default", () => {
  assert.equal(coerceSetting("engine.threads", -3), 0);
  assert.equal(coerceSetting("engine.threads", 2.5), 0);
  assert.equal(coerceSetting("engine.threads", "4"), 0);
  assert.equal(coerceSetting("engine.threads", 4), 4);
  assert.equal(coerceSetting("engine.gpu", "opencl"), "auto");
  assert.equal(coerceSetting("engine.gpu", "cuda"), "cuda");
  assert.equal(coerceSetting("completion.enabled", "yes"), true);
  assert.equal(coerceSetting("completion.enabled", false), false);
  assert.equal(coerceSetting("chat.modelPath", 42), "");
});

test("an ignored setting value says why; an unset one is no problem", () => {
  assert.deepEqual(checkSetting("engine.threads", -5), { value: 0, problem: { kind: "outOfRange", minimum: 0, maximum: 256 } });
  assert.deepEqual(checkSetting("engine.contextSize", 999_999_999).problem, { kind: "outOfRange", minimum: 0, maximum: 1_048_576 });
  assert.deepEqual(checkSetting("engine.gpuLayers", "lots"), { value: -1, problem: { kind: "wrongType", expected: "integer" } });
  assert.deepEqual(checkSetting("engine.gpu", "opencl").problem, { kind: "notAllowed", allowed: ["auto", "cpu", "cuda", "vulkan", "metal"] });
  assert.deepEqual(checkSetting("completion.disabledLanguages", "markdown").problem, { kind: "wrongType", expected: "string array" });
  assert.deepEqual(checkSetting("completion.enabled", "yes").problem, { kind: "wrongType", expected: "boolean" });
  assert.deepEqual(checkSetting("engine.threads", undefined), { value: 0 });
  assert.deepEqual(checkSetting("engine.threads", 4), { value: 4 });
});

test("commands in package.json equal the command ids in code, each with a localized title and category", () => {
  const contributed = manifest.contributes.commands.map((c) => c.command).sort();
  assert.deepEqual(contributed, Object.values(COMMANDS).sort());
  for (const command of manifest.contributes.commands) {
    assert.match(command.title, /^%.+%$/, command.command);
    assert.ok((resolved(command.title) ?? "").length > 0, command.command);
    assert.equal(command.category, "%category%", command.command);
    assert.equal(resolved(command.category), "Private Coder", command.command);
  }
});

test("the manifest contributes the activity-bar container, the chat webview view and a Private Coder editor context menu", () => {
  assert.equal(manifest.name, "private-coder");
  assert.equal(manifest.displayName, "Private Coder");
  assert.ok(manifest.contributes.viewsContainers.activitybar.some((c) => c.id === VIEW_CONTAINER_ID));
  assert.deepEqual(manifest.contributes.views[VIEW_CONTAINER_ID]?.map((v) => [v.id, v.type]), [[CHAT_VIEW_ID, "webview"]]);
  // The context menu names the product: a "Private Coder" submenu holds Explain Selection.
  const submenu = manifest.contributes.submenus?.find((s) => s.id === "privateCoder.editorContext");
  assert.equal(submenu && resolved(submenu.label), "Private Coder");
  assert.ok(manifest.contributes.menus["editor/context"]?.some((m) => m.submenu === submenu?.id));
  assert.ok(manifest.contributes.menus["privateCoder.editorContext"]?.some((m) => m.command === COMMANDS.explainSelection));
  // Show Statistics is in the command palette; the accept-part wrappers (keybindings only) are not.
  assert.ok(!manifest.contributes.menus.commandPalette?.some((m) => m.command === COMMANDS.showStatistics));
  for (const command of [COMMANDS.acceptNextWord, COMMANDS.acceptNextLine]) {
    assert.ok(manifest.contributes.menus.commandPalette?.some((m) => m.command === command && m.when === "false"), command);
  }
  assert.equal(manifest.main, "./dist/extension.cjs");
});

test("engines.vscode is no newer than 1.100 (the test host is Code 1.100.3)", () => {
  const match = /^\^?(\d+)\.(\d+)\.\d+$/.exec(manifest.engines.vscode);
  assert.ok(match, manifest.engines.vscode);
  assert.equal(Number(match[1]), 1);
  assert.ok(Number(match[2]) <= 100, manifest.engines.vscode);
});

test("the getting-started walkthrough: every step's texts are localized, its media exists, its links and completion events name real commands", () => {
  const walkthroughs = manifest.contributes.walkthroughs ?? [];
  assert.equal(walkthroughs.length, 1);
  const zh = JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.nls.zh-cn.json"), "utf8")) as Record<string, string>;
  const known = new Set<string>([...Object.values(COMMANDS), `${CHAT_VIEW_ID}.focus`]);
  const [walkthrough] = walkthroughs;
  assert.ok(walkthrough.steps.length >= 4, "model, chat, completion and explain at least");
  for (const text of [walkthrough.title, walkthrough.description, ...walkthrough.steps.flatMap((s) => [s.title, s.description])]) {
    const key = /^%(.+)%$/.exec(text)?.[1];
    assert.ok(key, `${text} is a %key% reference`);
    assert.ok(nls[key], `${key} in package.nls.json`);
    assert.ok(zh[key], `${key} in package.nls.zh-cn.json`);
    for (const [, command] of nls[key].matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(command), `${key} links to a real command: ${command}`);
    for (const [, command] of zh[key].matchAll(/\(command:([\w.]+)\)/g)) assert.ok(known.has(command), `${key} (zh-CN) links to a real command: ${command}`);
  }
  for (const step of walkthrough.steps) {
    assert.ok(step.media.markdown && readFileSync(path.resolve(import.meta.dirname, "../..", step.media.markdown), "utf8").startsWith("# "), `${step.id} has its markdown`);
    for (const event of step.completionEvents ?? []) assert.ok(known.has(event.replace(/^onCommand:/, "")), `${step.id} completes on a real command: ${event}`);
  }
  assert.ok(walkthrough.steps[0].description.includes("model"), "the first step picks a model");
});
