// Which settings file of a VS Code profile a `privateCoder.*` setting belongs in. A remote host applies
// `machine`-scoped settings only from the Machine settings; written into the User settings they seem to work until
// the settings are next re-read, and then the model is gone.
import { SETTINGS, SETTINGS_SECTION, type SettingKey } from "../../src/core/settings.ts";

export interface ProfileSettings {
  readonly user: Record<string, unknown>;
  readonly machine: Record<string, unknown>;
}

function isMachineScoped(id: string): boolean {
  if (!id.startsWith(`${SETTINGS_SECTION}.`)) return false;
  const key = id.slice(SETTINGS_SECTION.length + 1) as SettingKey;
  const definition = SETTINGS[key] as { scope?: string } | undefined;
  return definition?.scope === "machine";
}

/**
 * Lays `overrides` over the existing User and Machine settings, each key into the file a remote host reads it from;
 * a machine-scoped key left in the User settings by an older version moves to the Machine settings.
 */
export function placeSettings(existing: ProfileSettings, overrides: Record<string, unknown>): ProfileSettings {
  const user: Record<string, unknown> = {};
  const machine: Record<string, unknown> = { ...existing.machine };
  for (const [id, value] of Object.entries(existing.user)) {
    if (isMachineScoped(id)) machine[id] ??= value;
    else user[id] = value;
  }
  for (const [id, value] of Object.entries(overrides)) {
    if (isMachineScoped(id)) machine[id] = value;
    else user[id] = value;
  }
  return { user, machine };
}
