// Audit CLI for the safety filter: shows, for your own files, what Private Coder would send to the model.
//
//   npm run scan -- <files or folders>            per file: excluded or not, and what would be redacted (rule, line, column)
//   npm run scan -- --json <files or folders>     the same as JSON
//   npm run -s scan -- --print <file>             exactly the filtered text the model would receive (exit 3 if excluded)
//
// Options: --root <dir> is the workspace folder whose .privatecoderignore applies (default: the directory npm was run from);
// --exclude <pattern> adds a user pattern (repeatable), like privateCoder.safety.excludedPaths;
// --sensitive-word <word> (repeatable) and --block redact or block like privateCoder.safety.sensitiveWords;
// --feature completion|chat|explain (default chat). Values are never printed, only where they were.
import { promises as fs } from "node:fs";
import path from "node:path";
import { PathExclusion, filterContext, type FilteredContext, type SafetyFileSystem, type SafetyPolicy } from "../src/core/safety/index.ts";
import type { Feature } from "../src/core/safety/types.ts";

const EXIT_EXCLUDED = 3;
/** `npm run` starts scripts in the package root; paths on the command line are relative to where it was typed. */
const CWD = process.env.INIT_CWD ?? process.cwd();
const SKIP_DIRS = new Set(["node_modules", ".git", ".hg", ".svn"]);

const nodeFs: SafetyFileSystem = {
  realpath: (p) => fs.realpath(p),
  readTextFile: (p) => fs.readFile(p, "utf8").catch(() => undefined),
};

interface Args {
  json: boolean;
  print: boolean;
  root: string;
  feature: Feature;
  excludes: string[];
  words: string[];
  block: boolean;
  targets: string[];
}

function usage(message?: string): never {
  if (message) console.error(message);
  console.error("usage: npm run scan -- [--json] [--root dir] [--exclude pattern]... [--sensitive-word w]... [--block] [--feature f] <files or folders>\n       npm run -s scan -- --print <file>");
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, print: false, root: CWD, feature: "chat", excludes: [], words: [], block: false, targets: [] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const next = (): string => argv[++i] ?? usage(`${x} needs a value`);
    if (x === "--json") a.json = true;
    else if (x === "--print") a.print = true;
    else if (x === "--block") a.block = true;
    else if (x === "--root") a.root = path.resolve(CWD, next());
    else if (x === "--exclude") a.excludes.push(next());
    else if (x === "--sensitive-word") a.words.push(next());
    else if (x === "--feature") {
      const f = next();
      if (f !== "completion" && f !== "chat" && f !== "explain") usage(`unknown feature ${f}`);
      a.feature = f;
    } else if (x === "--help" || x === "-h") usage();
    else if (x.startsWith("--")) usage(`unknown option ${x}`);
    else a.targets.push(x);
  }
  if (a.targets.length === 0) usage("no files or folders given");
  if (a.print && a.targets.length !== 1) usage("--print takes exactly one file");
  return a;
}

/** Lists files under `target`, not descending into VCS/dependency folders or into folders the rules exclude. */
async function* walk(target: string, exclusion: PathExclusion): AsyncGenerator<string> {
  const stat = await fs.lstat(target);
  if (!stat.isDirectory()) {
    yield target;
    return;
  }
  const entries = await fs.readdir(target, { withFileTypes: true });
  entries.sort((x, y) => x.name.localeCompare(y.name));
  for (const e of entries) {
    const p = path.join(target, e.name);
    if (e.isDirectory()) {
      if (SKIP_DIRS.has(e.name)) continue;
      // An excluded folder (`.ssh/`, `secrets/`) is reported once instead of file by file.
      const d = await exclusion.check({ path: path.join(p, "x") });
      if (d.excluded) {
        yield p + path.sep;
        continue;
      }
      yield* walk(p, exclusion);
    } else if (e.isFile() || e.isSymbolicLink()) {
      yield p;
    }
  }
}

interface FileReport {
  path: string;
  excluded: boolean;
  reason?: string;
  binary?: boolean;
  redactions: FilteredContext["redactions"];
  hiddenCharacters: FilteredContext["hiddenCharacters"];
  blocked?: boolean;
}

async function scanFile(file: string, args: Args, policy: SafetyPolicy): Promise<{ report: FileReport; result?: FilteredContext }> {
  const abs = path.resolve(CWD, file);
  const rel = path.relative(CWD, abs) || file;
  if (file.endsWith(path.sep)) {
    // A whole excluded folder, reported once.
    const d = await policy.exclusion!.check({ path: path.join(abs, "x") });
    return { report: { path: rel + "/", excluded: true, reason: d.reason, redactions: [], hiddenCharacters: [] } };
  }
  const decision = await policy.exclusion!.check({ path: abs });
  if (decision.excluded) return { report: { path: rel, excluded: true, reason: decision.reason, redactions: [], hiddenCharacters: [] } };
  const bytes = await fs.readFile(abs);
  if (bytes.subarray(0, 8192).includes(0)) {
    return { report: { path: rel, excluded: false, binary: true, reason: "binary file, not scanned", redactions: [], hiddenCharacters: [] } };
  }
  const result = await filterContext({ text: bytes.toString("utf8"), path: abs, feature: args.feature }, policy);
  return {
    report: { path: rel, excluded: result.excluded, reason: result.reason, redactions: result.redactions, hiddenCharacters: result.hiddenCharacters, blocked: result.blocked || undefined },
    result,
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const policy: SafetyPolicy = {
    exclusion: new PathExclusion({ fs: nodeFs, workspaceFolders: [args.root], userPatterns: args.excludes }),
    sensitiveWords: args.words,
    sensitiveWordAction: args.block ? "block" : "redact",
    // An audit looks at whole files; the editor applies the model's budget on top.
    budget: null,
  };

  if (args.print) {
    const { report, result } = await scanFile(args.targets[0], args, policy);
    if (report.excluded || !result) {
      console.error(`${report.path}: ${report.reason ?? "excluded"}`);
      return EXIT_EXCLUDED;
    }
    if (result.blocked) {
      console.error(`${report.path}: ${result.reason ?? "blocked"}`);
      return EXIT_EXCLUDED;
    }
    process.stdout.write(result.text);
    return 0;
  }

  const reports: FileReport[] = [];
  for (const target of args.targets) {
    try {
      for await (const file of walk(path.resolve(CWD, target), policy.exclusion!)) {
        const { report } = await scanFile(file, args, policy);
        reports.push(report);
        if (!args.json) printReport(report);
      }
    } catch (err) {
      console.error(`${target}: ${(err as Error).message}`);
      return 2;
    }
  }
  if (args.json) console.log(JSON.stringify(reports, null, 2));
  else {
    const excluded = reports.filter((r) => r.excluded).length;
    const redacted = reports.reduce((n, r) => n + r.redactions.length, 0);
    console.log(`\n${reports.length} file(s) or folder(s): ${excluded} excluded, ${redacted} redaction(s)`);
  }
  return 0;
}

function printReport(r: FileReport): void {
  if (r.excluded) return void console.log(`${r.path}: EXCLUDED (${r.reason ?? ""})`);
  if (r.binary) return void console.log(`${r.path}: ${r.reason ?? "binary"}`);
  if (r.blocked) return void console.log(`${r.path}: BLOCKED (sensitive word)`);
  if (r.redactions.length === 0 && r.hiddenCharacters.length === 0) return void console.log(`${r.path}: clean`);
  console.log(`${r.path}: ${r.redactions.length} redaction(s), ${r.hiddenCharacters.length} hidden-character run(s)`);
  for (const x of r.redactions) console.log(`  ${x.line}:${x.column}  ${x.ruleId}  -> ${x.placeholder}`);
  for (const h of r.hiddenCharacters) console.log(`  ${h.line}:${h.column}  ${h.kind} ${h.codePoint}${h.count > 1 ? ` ×${h.count}` : ""} ${h.action}`);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
