/**
 * Content exclusion by path: files whose content never reaches the model (no completion in them, no chat
 * attachment, no extra context). Patterns are gitignore syntax (via `ignore`), matched case-insensitively:
 *
 * 1. the built-in defaults ({@link DEFAULT_EXCLUDED_PATTERNS}),
 * 2. the user setting `privateCoder.safety.excludedPaths`,
 * 3. `.privatecoderignore` at the root of each workspace folder, read last so its `!negations` can re-include a
 *    file a default excluded (e.g. `!.env.example`); redaction still applies to such a file;
 * 4. `.privatecoderignore` files in the folders below, as with `.gitignore`: their patterns are relative to their
 *    own folder, and the deepest file with a rule for the path decides (`!keep.ts` there re-includes it).
 *
 * A path inside a workspace folder is matched relative to that folder; a path outside every folder (a file opened
 * from `~/.aws`) is matched against its whole path, so defaults like `**\/.aws/**` still apply.
 *
 * Symlinks: for `file` paths both the path as opened and its real path (symlinks resolved, through the injected
 * {@link SafetyFileSystem}) are checked, and the file is excluded if either matches: `config.txt -> .env` is
 * excluded by its target, `.env -> shared/dev.txt` by its name.
 *
 * Schemes (documented policy):
 * - `untitled`: a buffer that was never saved has no path to match; it is NOT excluded, and its text is still
 *   redacted like any other (secret rules, hidden characters, sensitive words).
 * - `file`: as above, with symlinks resolved.
 * - any other scheme (`vscode-remote`, `vscode-vfs`, `git`, `vscode-notebook-cell`, …): the URI path is matched
 *   as given, with no symlink resolution (the local file system cannot see a remote one), against the defaults,
 *   the setting, and the `.privatecoderignore` of the workspace folder that contains it if the host can read it.
 */
import ignore, { type Ignore } from "ignore";

/** What path exclusion needs from the outside world; the CLI implements it with Node `fs`, the extension host with its own. */
export interface SafetyFileSystem {
  /** The path with every symlink resolved. May reject (missing file): the path is then matched as given. */
  realpath(path: string): Promise<string>;
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readTextFile(path: string): Promise<string | undefined>;
}

/** Secrets by convention: env files, keys and keystores, cloud and package-manager credentials. */
export const DEFAULT_EXCLUDED_PATTERNS: readonly string[] = [
  ".env",
  ".env.*",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "id_rsa*",
  "id_ed25519*",
  "**/.aws/**",
  "**/.ssh/**",
  "**/secrets/**",
  ".npmrc",
  ".pypirc",
  "*.kdbx",
];

export const IGNORE_FILE_NAME = ".privatecoderignore";

export interface PathExclusionOptions {
  readonly fs: SafetyFileSystem;
  /** Absolute paths (or URI paths for other schemes) of the workspace folders. */
  readonly workspaceFolders?: readonly string[];
  /** Extra gitignore-style patterns (the user setting). Default none. */
  readonly userPatterns?: readonly string[];
  /** Apply {@link DEFAULT_EXCLUDED_PATTERNS}. Default true. */
  readonly useDefaultPatterns?: boolean;
}

/** Where a text comes from. */
export interface SourceLocation {
  /** URI scheme; default `file`. */
  readonly scheme?: string;
  /** File-system path (for `file`) or URI path. */
  readonly path: string;
}

export type PatternSource = "default" | "setting" | "ignore-file";

export interface PathDecision {
  readonly excluded: boolean;
  /** One sentence for the UI and the CLI, e.g. `excluded by default pattern ".env"`. */
  readonly reason: string;
  readonly pattern?: string;
  readonly source?: PatternSource;
  /** The ignore file whose pattern matched (`source` `ignore-file`), relative to its workspace folder. */
  readonly ignoreFile?: string;
  /** The path that matched (the real path when a symlink led there). */
  readonly matchedPath?: string;
}

/** Forward slashes, no `.`/`..` segments, no trailing slash, lower-case drive letter. Pure, no `path` module. */
export function normalizePath(p: string): string {
  let s = p.replace(/\\/g, "/");
  const drive = /^([A-Za-z]):/.exec(s);
  let prefix = "";
  if (drive) {
    prefix = drive[1].toLowerCase() + ":";
    s = s.slice(2);
  }
  const absolute = s.startsWith("/");
  const out: string[] = [];
  for (const seg of s.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  return prefix + (absolute ? "/" : "") + out.join("/");
}

/** `rel` of `p` under `folder` (both normalised), compared case-insensitively, or undefined. */
function relativeTo(folder: string, p: string): string | undefined {
  const f = folder.toLowerCase();
  const q = p.toLowerCase();
  if (q === f) return "";
  const base = f.endsWith("/") ? f : f + "/";
  return q.startsWith(base) ? p.slice(base.length) : undefined;
}

/** A path `ignore` accepts for a file outside every folder: the absolute path without its root. */
function rootless(p: string): string {
  return p.replace(/^[a-z]:/i, "").replace(/^\/+/, "");
}

interface Folder {
  readonly path: string;
  matcher?: Promise<Ignore>;
  real?: Promise<string>;
  /** The `.privatecoderignore` of each sub-folder looked at so far (undefined: there is none), by its path. */
  readonly nested: Map<string, Promise<Ignore | undefined>>;
}

export class PathExclusion {
  private readonly folders: Folder[];
  private readonly base: { pattern: string; mark: PatternSource }[];
  private readonly outside: Ignore;
  private readonly fs: SafetyFileSystem;

  constructor(options: PathExclusionOptions) {
    this.fs = options.fs;
    const defaults = options.useDefaultPatterns === false ? [] : DEFAULT_EXCLUDED_PATTERNS;
    this.base = [
      ...defaults.map((pattern) => ({ pattern, mark: "default" as const })),
      ...(options.userPatterns ?? []).filter((p) => p.trim() !== "").map((pattern) => ({ pattern: pattern.trim(), mark: "setting" as const })),
    ];
    this.outside = ignore({ ignorecase: true }).add(this.base);
    this.folders = (options.workspaceFolders ?? []).map((f) => ({ path: normalizePath(f), nested: new Map() }));
  }

  /** Forgets cached `.privatecoderignore` files (call when one changes), for one folder or all. */
  invalidate(folder?: string): void {
    const n = folder === undefined ? undefined : normalizePath(folder).toLowerCase();
    for (const f of this.folders) {
      if (n !== undefined && f.path.toLowerCase() !== n) continue;
      delete f.matcher;
      delete f.real;
      f.nested.clear();
    }
  }

  private matcherFor(folder: Folder): Promise<Ignore> {
    folder.matcher ??= (async () => {
      const ig = ignore({ ignorecase: true }).add(this.base);
      const content = await this.fs.readTextFile(`${folder.path}/${IGNORE_FILE_NAME}`).catch(() => undefined);
      if (content !== undefined) {
        for (const line of content.split(/\r?\n/)) ig.add({ pattern: line, mark: "ignore-file" });
      }
      return ig;
    })();
    return folder.matcher;
  }

  /** The ignore file in `dir` (a sub-folder of `folder`), read once; undefined when there is none. */
  private nestedMatcher(folder: Folder, dir: string): Promise<Ignore | undefined> {
    let matcher = folder.nested.get(dir);
    if (!matcher) {
      matcher = this.fs
        .readTextFile(`${dir}/${IGNORE_FILE_NAME}`)
        .catch(() => undefined)
        .then((content) => {
          if (content === undefined) return undefined;
          const ig = ignore({ ignorecase: true });
          for (const line of content.split(/\r?\n/)) ig.add({ pattern: line, mark: "ignore-file" });
          return ig;
        });
      folder.nested.set(dir, matcher);
    }
    return matcher;
  }

  /**
   * The decision of the `.privatecoderignore` files between the folder's root and the file (not the root's own),
   * deepest last: `ignored` or `unignored` by a rule, or undefined when none of them has a rule for the path.
   */
  private async nestedDecision(folder: Folder, root: string, rel: string): Promise<{ ignored: boolean; pattern: string; dir: string } | undefined> {
    const segments = rel.split("/");
    let decision: { ignored: boolean; pattern: string; dir: string } | undefined;
    for (let depth = 1; depth < segments.length; depth++) {
      const dirRel = segments.slice(0, depth).join("/");
      const ig = await this.nestedMatcher(folder, `${root}/${dirRel}`);
      if (!ig) continue;
      const result = ig.test(segments.slice(depth).join("/"));
      if (result.ignored || result.unignored) decision = { ignored: result.ignored, pattern: result.rule?.pattern ?? "", dir: dirRel };
    }
    return decision;
  }

  private async folderAliases(folder: Folder, resolve: boolean): Promise<readonly string[]> {
    if (!resolve) return [folder.path];
    // The folder itself may sit behind a symlink (macOS /tmp -> /private/tmp); match real paths against its real path too.
    folder.real ??= this.fs.realpath(folder.path).then(normalizePath, () => folder.path);
    const real = await folder.real;
    return real === folder.path ? [folder.path] : [folder.path, real];
  }

  private async test(p: string, resolve: boolean): Promise<PathDecision | undefined> {
    let best: { folder: Folder; alias: string; rel: string } | undefined;
    for (const folder of this.folders) {
      for (const alias of await this.folderAliases(folder, resolve)) {
        const rel = relativeTo(alias, p);
        if (rel !== undefined && (!best || rel.length < best.rel.length)) best = { folder, alias, rel };
      }
    }
    let ig: Ignore;
    let rel: string;
    if (best) {
      if (best.rel === "") return undefined;
      ig = await this.matcherFor(best.folder);
      rel = best.rel;
    } else {
      ig = this.outside;
      rel = rootless(p);
    }
    if (rel === "" || rel.startsWith("../") || rel === "..") return undefined;
    const result = ig.test(rel);
    // Ignore files in sub-folders speak last (deepest wins), as `.gitignore` files do.
    const nested = best ? await this.nestedDecision(best.folder, best.alias, rel) : undefined;
    if (nested) {
      if (!nested.ignored) return undefined;
      const reason = `excluded by ${nested.dir}/${IGNORE_FILE_NAME} pattern "${nested.pattern}"`;
      return { excluded: true, reason, pattern: nested.pattern, source: "ignore-file", ignoreFile: `${nested.dir}/${IGNORE_FILE_NAME}`, matchedPath: p };
    }
    if (!result.ignored) return undefined;
    const source = (result.rule?.mark ?? "default") as PatternSource;
    const pattern = result.rule?.pattern ?? "";
    const where = source === "default" ? "default pattern" : source === "setting" ? "the privateCoder.safety.excludedPaths pattern" : `${IGNORE_FILE_NAME} pattern`;
    return { excluded: true, reason: `excluded by ${where} "${pattern}"`, pattern, source, ...(source === "ignore-file" ? { ignoreFile: IGNORE_FILE_NAME } : {}), matchedPath: p };
  }

  /** Decides whether the text at `location` may reach the model. Never throws. */
  async check(location: SourceLocation): Promise<PathDecision> {
    const scheme = (location.scheme ?? "file").toLowerCase();
    if (scheme === "untitled") {
      return { excluded: false, reason: "untitled buffer: not excluded by path; its text is still redacted" };
    }
    const given = normalizePath(location.path);
    if (given === "" || given === "/") return { excluded: false, reason: "no path" };
    const resolve = scheme === "file";
    try {
      const direct = await this.test(given, resolve);
      if (direct) return direct;
      if (resolve) {
        const real = await this.fs.realpath(location.path).then(normalizePath, () => given);
        if (real !== given) {
          const viaLink = await this.test(real, resolve);
          if (viaLink) return { ...viaLink, reason: `${viaLink.reason} (symlink target ${real})` };
        }
      }
    } catch {
      // `ignore` rejects odd paths; an unmatchable path is not excluded by path, and redaction still applies.
      return { excluded: false, reason: "path could not be matched; redaction still applies" };
    }
    return { excluded: false, reason: "not excluded" };
  }
}
