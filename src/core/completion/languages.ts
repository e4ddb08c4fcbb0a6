/**
 * Per-language facts the completion core needs: how to write a one-line comment (for the file header and the
 * headers of extra context chunks), whether blocks are delimited by indentation (Python, YAML) rather than
 * brackets, and which line endings open a block. Keyed by VS Code language id; unknown languages get no comment
 * header rather than a wrong one.
 */

/** How a one-line comment is written: `open` before the text, `close` after it (block-comment-only languages). */
export interface CommentSyntax {
  readonly open: string;
  readonly close?: string;
}

const SLASH: CommentSyntax = { open: "//" };
const HASH: CommentSyntax = { open: "#" };
const DASH: CommentSyntax = { open: "--" };
const SEMI: CommentSyntax = { open: ";" };
const PERCENT: CommentSyntax = { open: "%" };
const HTML: CommentSyntax = { open: "<!--", close: "-->" };
const BLOCK: CommentSyntax = { open: "/*", close: "*/" };

const COMMENTS: Readonly<Record<string, CommentSyntax>> = {
  c: SLASH, cpp: SLASH, "objective-c": SLASH, "objective-cpp": SLASH, csharp: SLASH, cuda: SLASH, "cuda-cpp": SLASH,
  java: SLASH, kotlin: SLASH, scala: SLASH, groovy: SLASH, go: SLASH, rust: SLASH, swift: SLASH, dart: SLASH,
  javascript: SLASH, javascriptreact: SLASH, typescript: SLASH, typescriptreact: SLASH, jsonc: SLASH, php: SLASH,
  zig: SLASH, solidity: SLASH, proto: SLASH, hlsl: SLASH, glsl: SLASH, wgsl: SLASH, vue: HTML, svelte: HTML,
  python: HASH, ruby: HASH, perl: HASH, r: HASH, shellscript: HASH, bash: HASH, powershell: HASH, yaml: HASH,
  toml: HASH, dockerfile: HASH, makefile: HASH, cmake: HASH, elixir: HASH, julia: HASH, nim: HASH, coffeescript: HASH,
  graphql: HASH, properties: HASH, ini: SEMI, terraform: HASH, hcl: HASH, nix: HASH,
  lua: DASH, sql: DASH, haskell: DASH, elm: DASH, ada: DASH,
  clojure: SEMI, lisp: SEMI, scheme: SEMI, racket: SEMI, asm: SEMI,
  erlang: PERCENT, latex: PERCENT, tex: PERCENT, matlab: PERCENT, prolog: PERCENT,
  html: HTML, xml: HTML, markdown: HTML, svg: HTML,
  css: BLOCK, scss: SLASH, less: SLASH,
  fsharp: SLASH, ocaml: { open: "(*", close: "*)" }, vb: { open: "'" }, bat: { open: "REM" },
};

/** The one-line comment syntax of `languageId`, or undefined when it has none we trust (JSON, plain text). */
export function commentSyntax(languageId: string): CommentSyntax | undefined {
  return COMMENTS[languageId];
}

/** `text` as a one-line comment in `languageId`, or undefined when the language has no comment syntax. */
export function commentLine(languageId: string, text: string): string | undefined {
  const syntax = commentSyntax(languageId);
  if (!syntax) return undefined;
  return syntax.close ? `${syntax.open} ${text} ${syntax.close}` : `${syntax.open} ${text}`;
}

/** Languages whose blocks end by dedenting (no closing bracket line): a dedent ends the block there too. */
const INDENT_BLOCK_LANGUAGES = new Set(["python", "yaml", "coffeescript", "nim", "haskell", "fsharp", "elm"]);

/** Whether blocks in `languageId` are delimited by indentation alone. */
export function usesIndentBlocks(languageId: string): boolean {
  return INDENT_BLOCK_LANGUAGES.has(languageId);
}

/** Brackets, arrows and block keywords open a block whatever the language. */
const OPENER_END = /(?:[{([]|=>|\bthen|\bdo|\bbegin)\s*$/;
/**
 * Languages where a line ending in `:` opens an indented block (`def f():`, `key:`). Elsewhere a trailing colon is
 * punctuation (a Markdown or plain-text sentence before a list, a ternary, an object key), and treating it as an
 * opener would push the next line one level deeper.
 */
const COLON_BLOCK_LANGUAGES = new Set([
  "python", "cython", "mojo", "starlark", "gdscript", "yaml", "dockercompose", "github-actions-workflow", "ansible",
  "coffeescript", "nim",
]);
/** Languages with a C-style `switch`: there a `case …:` or `default:` label opens the statements under it. */
const SWITCH_LABEL_LANGUAGES = new Set([
  "c", "cpp", "objective-c", "objective-cpp", "cuda", "cuda-cpp", "csharp", "java", "groovy", "go", "swift", "dart",
  "javascript", "javascriptreact", "typescript", "typescriptreact", "php", "hlsl", "glsl", "wgsl",
]);
const SWITCH_LABEL = /^\s*(?:case\b.*|default\s*):\s*$/;

/** Whether `line` (the text up to where the next line starts) opens a block whose body follows, in `languageId`. */
export function opensBlock(line: string, languageId: string): boolean {
  if (OPENER_END.test(line)) return true;
  if (!/:\s*$/.test(line)) return false;
  return COLON_BLOCK_LANGUAGES.has(languageId) || (SWITCH_LABEL_LANGUAGES.has(languageId) && SWITCH_LABEL.test(line));
}
