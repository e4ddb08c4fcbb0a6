// The VS Code runner leaves nothing behind when a run fails half-way: here Chromium cannot start after code-server
// did (CHROMIUM_PATH=/bin/false), and afterwards no code-server of that run may be alive and its folder is gone.
// Run by `npm run test:vscode` before the suites (it needs the build and the installed code-server).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { repoRoot } from "./codeServer.ts";

/** Pids and command lines of every process whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const out = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" });
  return out.split("\n").filter((line) => line.includes(needle) && !line.includes("ps -eo"));
}

test("a run whose browser fails to launch stops the code-server it started and removes its folder", () => {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "test/runner/run-vscode-tests.ts")], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, CHROMIUM_PATH: "/bin/false" },
    timeout: 180_000,
  });
  assert.notEqual(result.status, 0, "the run must fail");
  const runDir = /started in (\S+pc-vscode-\S+)/.exec(result.stdout)?.[1];
  assert.ok(runDir, `the runner names its run folder:\n${result.stdout}\n${result.stderr}`);
  assert.deepEqual(processesMentioning(runDir), [], "no process of the failed run is alive");
  assert.equal(existsSync(runDir), false, "the run folder is removed");
});
