import { sanitizeModelOutput } from "../../safety/index.ts";
import type { PostprocessFilter } from "./filter.ts";

/**
 * Model output is untrusted text headed for the editor: terminal escapes, control characters and bidi overrides
 * could hide or disguise what gets inserted, and CRLF would break every later filter's line split. The safety
 * module's sanitizer removes them.
 */
export const stripControlCharacters: PostprocessFilter = (text) => sanitizeModelOutput(text);
