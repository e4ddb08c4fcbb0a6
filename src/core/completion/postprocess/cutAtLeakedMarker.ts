import type { PostprocessFilter } from "./filter.ts";

/** Special-token text a model may emit as plain text; everything from it on is not code. */
const LEAKED_MARKER = /<\|(?:fim_(?:prefix|suffix|middle|pad)|endoftext|file_sep|repo_name|im_end|im_start|eot_id)\|>|<(?:PRE|SUF|MID|EOT)>|<fim_(?:prefix|suffix|middle)>/;

/**
 * A model that does not stop on its end token writes the token's text instead (`<|endoftext|>`, `<|fim_suffix|>`)
 * and then the next file or the prompt again: the suggestion ends where such a marker starts.
 */
export const cutAtLeakedMarker: PostprocessFilter = (text) => {
  const marker = LEAKED_MARKER.exec(text);
  return marker ? text.slice(0, marker.index) : text;
};
