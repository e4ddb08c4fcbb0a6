// Writes the settings table (src/core/settings.ts) into package.json's contributes.configuration, so a new setting
// is added in one place. `npm run sync-settings`; test/unit/settings.test.ts fails when the two disagree.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { manifestProperties } from "../src/core/settings.ts";

const manifestPath = path.resolve(import.meta.dirname, "../package.json");
const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
  contributes: { configuration: { properties: unknown } };
};
manifest.contributes.configuration.properties = manifestProperties();
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
console.log(`wrote ${Object.keys(manifestProperties()).length} settings to package.json`);
