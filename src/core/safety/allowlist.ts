/**
 * Values that look like secrets but are not, the way gitleaks keeps its false positives low: placeholders people
 * put in docs and templates, template/variable references, lockfile integrity hashes, git SHAs, UUIDs used as ids.
 * These checks only ever run on a candidate value a rule already found (bounded length), never on the whole text.
 */

/** Substrings that mark a value as a placeholder rather than a credential, as one case-insensitive regex. */
const PLACEHOLDER_WORDS_RE =
  /example|xxxx|\*\*\*\*|\.\.\.\.|…|placeholder|change[_-]?me|your[_-]|your(?:key|token|secret)|dummy|sample|redacted|fake|not-?a-?secret|insert|replace/gi;

/**
 * A placeholder word the way people write one: in one case (`fake`, `FAKE`) or capitalised (`Fake`, `MyExampleKey`).
 * A random key holds `FAkE` or `sAmPlE` by chance now and then; that is not a placeholder, and must not let it pass.
 */
function deliberateCase(letters: string): boolean {
  return letters === letters.toLowerCase() || letters === letters.toUpperCase() || letters === letters[0].toUpperCase() + letters.slice(1).toLowerCase();
}

/** Not glued to other letters: the value's ends or a non-letter on both sides (`sk-proj-your-key-…`, `…NN7EXAMPLE`). */
function delimited(value: string, start: number, end: number): boolean {
  return (start === 0 || !/[A-Za-z]/.test(value[start - 1])) && (end === value.length || !/[A-Za-z]/.test(value[end]));
}

/** Template and variable syntaxes: `${VAR}`, `{{ var }}`, `$(cmd)`, `%(name)s`, `#{x}`, `%s`, and our own placeholders. */
const TEMPLATE_MARKERS_RE = /\$\{|\{\{|\}\}|\$\(|%\(|#\{|%s|<secret:|<redacted:/;

/** `<your-api-key>`, `$TOKEN`, `$env:TOKEN`, `%TOKEN%`, or one repeated character (`aaaaaaaa`, `00000000`). */
const REFERENCE_RE = /^<[^<>]{1,80}>$|^\$(?:env:)?[A-Za-z_][A-Za-z0-9_]{0,80}$|^%[A-Za-z_][A-Za-z0-9_]{0,80}%$|^(.)\1*$/s;

/**
 * True for placeholder, template and variable-reference values that must never be reported as secrets.
 * `strict` (for provider tokens, whose shape and length already say "real key"): a placeholder word must also stand
 * apart from the letters around it, so only a key someone wrote as a placeholder passes, never a random one that
 * happens to contain `fake` (about 1 in 10,000 random 120-character keys would, case-insensitively).
 */
export function isPlaceholderValue(value: string, options: { readonly strict?: boolean } = {}): boolean {
  if (TEMPLATE_MARKERS_RE.test(value) || REFERENCE_RE.test(value)) return true;
  for (const match of value.matchAll(PLACEHOLDER_WORDS_RE)) {
    const word = match[0];
    const first = word.search(/[A-Za-z]/);
    if (first < 0) return true; // `****`, `....`, `…`
    const letters = word.replace(/[^A-Za-z]+$/, "").slice(first);
    if (!deliberateCase(letters.replace(/[^A-Za-z]/g, ""))) continue;
    const start = match.index + first;
    if (options.strict && !delimited(value, start, start + letters.length)) continue;
    return true;
  }
  return false;
}

/** Lockfile / SRI integrity hashes: `sha512-…`, `sha256-…`. */
export function isIntegrityHash(value: string): boolean {
  return /^sha(?:1|256|384|512)-[A-Za-z0-9+/]{20,100}={0,2}$/.test(value);
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Git SHA-1 / SHA-256 object ids and other bare hex digests of a standard length. */
export function isHexDigest(value: string): boolean {
  return /^[0-9a-f]{40}$|^[0-9a-f]{64}$|^[0-9a-f]{32}$/i.test(value);
}

/** Public keys that are written under `key` names: age recipients (`age1…`, bech32). */
export function isPublicKey(value: string): boolean {
  return /^age1[02-9ac-hj-np-z]{58}$/.test(value);
}

/** `data:` URIs (inline images, fonts): long and high-entropy, never credentials. */
export function isDataUri(value: string): boolean {
  return /^data:[a-z]{1,20}\/[a-z0-9.+-]{1,60}[;,]/i.test(value);
}

/** Paths and URLs without credentials: `./models/x.gguf`, `/run/secrets/db`, `https://host/path`. */
export function isPathOrUrl(value: string): boolean {
  if (/^(?:\.{1,2}\/|~\/|[A-Za-z]:[\\/])/.test(value)) return true;
  if (/^[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/]*(?:[/?#]|$)/i.test(value)) return true;
  // An absolute path of at least two word-ish segments (`/etc/app/key.pem`). A random base64 value almost never
  // consists of `/`-separated segments that all end in a letter or digit and include a file extension or three segments.
  return /^\/[\w.-]{1,64}(?:\/[\w.-]{1,64}){1,20}$/.test(value) && (/\.[a-z]{1,5}$/i.test(value) || value.split("/").length > 3);
}

/** Files whose contents are mostly hashes and URLs; the generic assignment rule does not run on them. */
export const LOCKFILE_NAMES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "cargo.lock",
  "poetry.lock",
  "pipfile.lock",
  "uv.lock",
  "composer.lock",
  "gemfile.lock",
  "go.sum",
  "flake.lock",
  "packages.lock.json",
]);

/** True when `path` (any separator) names a lockfile. */
export function isLockfilePath(path: string | undefined): boolean {
  if (!path) return false;
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1).toLowerCase();
  return LOCKFILE_NAMES.has(base);
}

/** Languages where an unquoted value after `=` or `:` is an expression, never a string literal. */
const CODE_LANGUAGE_IDS = new Set([
  "typescript", "typescriptreact", "javascript", "javascriptreact", "python", "go", "java", "kotlin", "csharp", "cpp", "c",
  "rust", "ruby", "php", "swift", "scala", "dart", "lua", "vue", "svelte", "objective-c", "objective-cpp", "groovy", "perl", "r", "julia", "fsharp", "haskell", "elixir", "clojure",
]);
const CODE_EXTENSIONS = new Set([
  "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "py", "pyi", "go", "java", "kt", "kts", "cs", "cpp", "cc", "cxx", "c", "h", "hpp",
  "rs", "rb", "php", "swift", "scala", "dart", "lua", "vue", "svelte", "m", "mm", "groovy", "pl", "r", "jl", "fs", "hs", "ex", "exs", "clj",
]);

/**
 * True when the text is source code in a language whose string literals are quoted, so the generic rule only
 * looks at quoted values there (`const exclamationToken = !questionToken` is not a secret). Config files
 * (`.env`, YAML, INI, properties, shell), unknown files and chat text keep unquoted values.
 */
export function isQuotedLiteralLanguage(path: string | undefined, languageId: string | undefined): boolean {
  if (languageId !== undefined && CODE_LANGUAGE_IDS.has(languageId)) return true;
  if (!path) return false;
  const base = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 && CODE_EXTENSIONS.has(base.slice(dot + 1).toLowerCase());
}
