// Content exclusion by path, through the pure API with a real file system: a temp workspace with real files,
// real symlinks and a .privatecoderignore with a negation. Every case is checked for all three features.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, readFileSync, realpathSync } from "node:fs";
import { promises as fsp } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PathExclusion, filterContext, normalizePath, type SafetyFileSystem } from "../../src/core/safety/index.ts";
import type { Feature } from "../../src/core/safety/types.ts";

interface PathCase {
  path: string;
  excluded: boolean;
  note?: string;
  outside?: boolean;
  scheme?: string;
}
interface PathFixture {
  files: string[];
  symlinks: { link: string; target: string }[];
  ignoreFile: string;
  userPatterns: string[];
  cases: PathCase[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/safety/paths.json", import.meta.url), "utf8")) as PathFixture;
const FEATURES: Feature[] = ["completion", "chat", "explain"];
// The content every file gets: a secret-free line, so a non-excluded file's text passes unchanged.
const CONTENT = "export const answer = 42;\n";

let root: string;
let workspace: string;
let home: string;
let fsCalls = 0;

const nodeFs: SafetyFileSystem = {
  realpath: (p) => {
    fsCalls++;
    return fsp.realpath(p);
  },
  readTextFile: (p) => fsp.readFile(p, "utf8").catch(() => undefined),
};

before(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), "pc-safety-")));
  workspace = path.join(root, "workspace");
  home = path.join(root, "home");
  for (const f of fixture.files) {
    mkdirSync(path.dirname(path.join(workspace, f)), { recursive: true });
    writeFileSync(path.join(workspace, f), CONTENT);
  }
  for (const s of fixture.symlinks) {
    mkdirSync(path.dirname(path.join(workspace, s.link)), { recursive: true });
    symlinkSync(s.target, path.join(workspace, s.link));
  }
  writeFileSync(path.join(workspace, ".privatecoderignore"), fixture.ignoreFile);
  for (const c of fixture.cases.filter((x) => x.outside)) {
    mkdirSync(path.dirname(path.join(home, c.path)), { recursive: true });
    writeFileSync(path.join(home, c.path), CONTENT);
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

function exclusion(): PathExclusion {
  return new PathExclusion({ fs: nodeFs, workspaceFolders: [workspace], userPatterns: fixture.userPatterns });
}

test(`${fixture.cases.length} path cases × 3 entry points`, async () => {
  assert.ok(fixture.cases.length >= 25);
  const ex = exclusion();
  const failures: string[] = [];
  for (const c of fixture.cases) {
    const abs = c.scheme === "untitled" ? c.path : path.join(c.outside ? home : workspace, c.path);
    for (const feature of FEATURES) {
      const r = await filterContext({ text: CONTENT, path: abs, scheme: c.scheme, feature }, { exclusion: ex });
      const ok = r.excluded === c.excluded && (c.excluded ? r.text === "" : r.text === CONTENT);
      if (!ok) failures.push(`${c.path} [${c.scheme ?? "file"}] ${feature}: excluded=${r.excluded}, expected ${c.excluded} (${c.note ?? ""}) ${r.reason ?? ""}`);
    }
  }
  assert.deepEqual(failures, []);
});

test("the reason names the pattern and where it came from", async () => {
  const ex = exclusion();
  const d1 = await ex.check({ path: path.join(workspace, ".env") });
  assert.equal(d1.source, "default");
  assert.equal(d1.pattern, ".env");
  const d2 = await ex.check({ path: path.join(workspace, "src/auth.secret.ts") });
  assert.equal(d2.source, "ignore-file");
  const d3 = await ex.check({ path: path.join(workspace, "config/prod/settings.json") });
  assert.equal(d3.source, "setting");
  const d4 = await ex.check({ path: path.join(workspace, "config/app.txt") });
  assert.match(d4.reason, /symlink target/);
});

test("untitled buffers are not excluded but still redacted", async () => {
  const token = "ghp_" + "Q7wE9rT1yU3iO5pA7sD9fG1hJ3kL5zX7cV9b";
  const r = await filterContext({ text: `token = "${token}"\n`, path: "Untitled-1", scheme: "untitled", feature: "chat" }, { exclusion: exclusion() });
  assert.equal(r.excluded, false);
  assert.equal(r.text, `token = "<secret:github-token#1>"\n`);
  assert.match(r.reason ?? "", /untitled/);
});

test("remote schemes are matched on the URI path without touching the local file system", async () => {
  const ex = exclusion();
  fsCalls = 0;
  const d = await ex.check({ scheme: "vscode-remote", path: "/home/dev/project/.aws/credentials" });
  assert.equal(d.excluded, true);
  assert.equal(fsCalls, 0);
});

test("editing .privatecoderignore takes effect after invalidate()", async () => {
  const ex = exclusion();
  const file = path.join(workspace, "README.md");
  assert.equal((await ex.check({ path: file })).excluded, false);
  writeFileSync(path.join(workspace, ".privatecoderignore"), fixture.ignoreFile + "README.md\n");
  try {
    assert.equal((await ex.check({ path: file })).excluded, false, "cached until invalidated");
    ex.invalidate(workspace);
    assert.equal((await ex.check({ path: file })).excluded, true);
  } finally {
    writeFileSync(path.join(workspace, ".privatecoderignore"), fixture.ignoreFile);
  }
});

test("without default patterns only the setting and the ignore file apply", async () => {
  const ex = new PathExclusion({ fs: nodeFs, workspaceFolders: [workspace], useDefaultPatterns: false });
  assert.equal((await ex.check({ path: path.join(workspace, ".env") })).excluded, false);
  assert.equal((await ex.check({ path: path.join(workspace, "private/notes.txt") })).excluded, true);
});

test("paths are normalised without the path module (Windows separators, drive letters, dot segments)", () => {
  assert.equal(normalizePath("C:\\Users\\Dev\\proj\\.env"), "c:/Users/Dev/proj/.env");
  assert.equal(normalizePath("/a/b/../c/./d/"), "/a/c/d");
  assert.equal(normalizePath("a//b"), "a/b");
});

test("Windows-style paths match case-insensitively against a Windows workspace folder", async () => {
  const fake: SafetyFileSystem = { realpath: (p) => Promise.resolve(p), readTextFile: () => Promise.resolve(undefined) };
  const ex = new PathExclusion({ fs: fake, workspaceFolders: ["C:\\Work\\Proj"] });
  assert.equal((await ex.check({ path: "c:\\work\\proj\\Config\\.ENV" })).excluded, true);
  assert.equal((await ex.check({ path: "C:\\Work\\Proj\\src\\main.ts" })).excluded, false);
  assert.equal((await ex.check({ path: "D:\\Users\\me\\.ssh\\id_rsa" })).excluded, true);
});

test(".privatecoderignore files in sub-folders work like nested .gitignore files (relative, deepest decides)", async () => {
  const dir = (rel: string) => path.join(workspace, "nested", rel);
  for (const f of ["a/keep.ts", "a/drop.ts", "a/b/drop.ts", "a/b/keep-me.ts", "a/b/c/deep.ts", "other/drop.ts", "a/generated/x.ts"]) {
    mkdirSync(path.dirname(dir(f)), { recursive: true });
    writeFileSync(dir(f), CONTENT);
  }
  // nested/a excludes drop.ts at any depth below it and its generated/ folder; nested/a/b re-includes keep-me.ts
  // (which a/ excludes by its *-me.ts pattern) and excludes everything in c/.
  writeFileSync(dir("a/.privatecoderignore"), "drop.ts\ngenerated/\n*-me.ts\n");
  writeFileSync(dir("a/b/.privatecoderignore"), "!keep-me.ts\nc/\n");
  const ex = exclusion();
  const excluded = async (rel: string) => (await ex.check({ path: dir(rel) })).excluded;
  assert.equal(await excluded("a/keep.ts"), false);
  assert.equal(await excluded("a/drop.ts"), true);
  assert.equal(await excluded("a/b/drop.ts"), true, "a pattern without a slash matches at any depth below its file");
  assert.equal(await excluded("a/generated/x.ts"), true);
  assert.equal(await excluded("a/b/keep-me.ts"), false, "the deeper file's negation wins");
  assert.equal(await excluded("a/b/c/deep.ts"), true);
  assert.equal(await excluded("other/drop.ts"), false, "a sub-folder's file does not reach its siblings");
  const why = await ex.check({ path: dir("a/b/c/deep.ts") });
  assert.equal(why.source, "ignore-file");
  assert.match(why.reason, /nested\/a\/b\/\.privatecoderignore pattern "c\/"/);
  // Defaults still apply below a nested ignore file, and a change is read after invalidate().
  writeFileSync(dir("a/.env"), CONTENT);
  assert.equal(await excluded("a/.env"), true);
  writeFileSync(dir("a/.privatecoderignore"), "generated/\n");
  assert.equal(await excluded("a/drop.ts"), true, "cached until invalidated");
  ex.invalidate(workspace);
  assert.equal(await excluded("a/drop.ts"), false);
});
