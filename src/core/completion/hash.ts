/**
 * A small, pure string hash for cache keys (no `node:crypto`: src/core runs in every room).
 *
 * Two FNV-1a 32-bit passes with different offset bases give 64 bits: with a cache of a few hundred entries a
 * collision is ~1e-15 likely, where 32 bits alone would be ~1e-5. Not cryptographic; it keys a local cache only.
 */

const FNV_PRIME = 0x01000193;
const OFFSET_A = 0x811c9dc5;
/** A second, arbitrary offset basis so the two halves are independent enough. */
const OFFSET_B = 0x050c5d1f;

/** FNV-1a over the UTF-16 code units of `parts`, each followed by its length, so `["ab","c"]` ≠ `["a","bc"]`. */
export function hashParts(parts: readonly string[]): string {
  let a = OFFSET_A;
  let b = OFFSET_B;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, FNV_PRIME);
      // Mix in the position in b only, so the halves diverge on anagrams.
      b = Math.imul(b ^ (i & 0xff), FNV_PRIME);
    }
    const len = part.length;
    a = Math.imul(a ^ (len & 0xffff), FNV_PRIME);
    a = Math.imul(a ^ (len >>> 16), FNV_PRIME);
    b = Math.imul(b ^ (len & 0xffff), FNV_PRIME);
    b = Math.imul(b ^ (len >>> 16), FNV_PRIME);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

/** {@link hashParts} of a single string. */
export function hashString(text: string): string {
  return hashParts([text]);
}
