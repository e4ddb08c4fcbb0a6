// The audit CLI (`npm run scan`), spawned on temp files: report, --json, --print, exit code 3 for excluded files.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSecret } from "../fixtures/safety/secretValues.ts";

const repo = path.resolve(import.meta.dirname, "../..");
const script = path.join(repo, "scripts/scan.ts");
let dir: string;
const token = generateSecret("github-ghp", 77).value;

function scan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, "--root", dir, ...args], { cwd: repo, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), "pc-scan-")));
  writeFileSync(path.join(dir, "app.ts"), `export const token = "${token}";\nexport const n = 1;\n`);
  writeFileSync(path.join(dir, "clean.ts"), "export const answer = 42;\n");
  writeFileSync(path.join(dir, ".env"), `GITHUB_TOKEN=${token}\n`);
  symlinkSync(".env", path.join(dir, "settings.txt"));
  mkdirSync(path.join(dir, "node_modules/pkg"), { recursive: true });
  writeFileSync(path.join(dir, "node_modules/pkg/index.js"), `module.exports = "${token}";\n`);
  mkdirSync(path.join(dir, "secrets"));
  writeFileSync(path.join(dir, "secrets/db.txt"), "hunter2\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("scan reports exclusions and redactions (rule, line, column), never values", () => {
  const r = scan(dir);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stdout.includes(token));
  assert.match(r.stdout, /\.env: EXCLUDED \(excluded by default pattern "\.env"\)/);
  assert.match(r.stdout, /settings\.txt: EXCLUDED .*symlink target/);
  assert.match(r.stdout, /app\.ts: 1 redaction/);
  assert.match(r.stdout, /1:23 {2}github-token {2}-> <secret:github-token#1>/);
  assert.match(r.stdout, /clean\.ts: clean/);
  assert.match(r.stdout, /secrets\/: EXCLUDED/);
  assert.ok(!r.stdout.includes("node_modules"), "node_modules is not walked");
});

test("--json gives the same as data", () => {
  const r = scan("--json", dir);
  assert.equal(r.status, 0, r.stderr);
  const reports = JSON.parse(r.stdout) as { path: string; excluded: boolean; redactions: { ruleId: string; line: number; column: number }[] }[];
  const app = reports.find((x) => x.path.endsWith("app.ts"))!;
  assert.deepEqual(app.redactions.map((x) => [x.ruleId, x.line, x.column]), [["github-token", 1, 23]]);
  assert.equal(reports.find((x) => x.path.endsWith(".env"))!.excluded, true);
  assert.ok(!r.stdout.includes(token));
});

test("--print writes exactly the filtered text", () => {
  const r = scan("--print", path.join(dir, "app.ts"));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'export const token = "<secret:github-token#1>";\nexport const n = 1;\n');
});

test("--print of an excluded file prints nothing and exits with 3", () => {
  for (const f of [".env", "settings.txt", "secrets/db.txt"]) {
    const r = scan("--print", path.join(dir, f));
    assert.equal(r.status, 3, f);
    assert.equal(r.stdout, "", f);
  }
});

test("bad usage exits with 2", () => {
  assert.equal(scan().status, 2);
  assert.equal(scan("--print", "a", "b").status, 2);
});
