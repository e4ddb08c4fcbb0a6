// Writes the settings table (src/core/settings.ts) into package.json's contributes.configuration, and the settings'
// English descriptions into package.nls.json (the `privateCoder.*` keys; every other key there is hand-written and
// kept), so a new setting is added in one place. `npm run sync-settings`; test/unit/manifest.test.ts fails when they
// disagree, test/unit/l10n.test.ts when package.nls.zh-cn.json lacks a translation.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SETTINGS_NLS_PREFIX, manifestNls, manifestProperties } from "../src/core/settings.ts";

const root = path.resolve(import.meta.dirname, "..");
const manifestPath = path.join(root, "package.json");
const nlsPath = path.join(root, "package.nls.json");

const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
  contributes: { configuration: { properties: unknown } };
};
manifest.contributes.configuration.properties = manifestProperties();
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");

const nls = JSON.parse(readFileSync(nlsPath, "utf8")) as Record<string, string>;
const handWritten = Object.fromEntries(Object.entries(nls).filter(([key]) => !key.startsWith(SETTINGS_NLS_PREFIX)));
writeFileSync(nlsPath, JSON.stringify({ ...handWritten, ...manifestNls() }, null, 2) + "\n");

console.log(`wrote ${Object.keys(manifestProperties()).length} settings to package.json and ${Object.keys(manifestNls()).length} texts to package.nls.json`);
