// The chat view's strings in the display language: the host writes them as JSON into the page (see
// src/core/webviewStrings.ts); anything missing or malformed falls back to English.
import { CHAT_STRINGS_ELEMENT_ID, formatString, parseChatStrings, type ChatStringKey } from "../../core/webviewStrings.ts";

function readStrings(): unknown {
  const text = document.getElementById(CHAT_STRINGS_ELEMENT_ID)?.textContent;
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    console.warn("Private Coder chat: the localized strings could not be read; using English");
    return undefined;
  }
}

const strings = parseChatStrings(readStrings());

/** The string `key`, with `{0}`, `{1}`… filled from `args`. */
export function t(key: ChatStringKey, ...args: readonly (string | number)[]): string {
  return formatString(strings[key], ...args);
}
