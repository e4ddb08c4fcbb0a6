// The test runner's throw-away folders: short enough for Unix sockets whatever the checkout path, and gone on every
// way out of the run (normal end, exception, process.exit, SIGTERM).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { isolatedEnv } from "../runner/codeServer.ts";
import { createRunDir, MAX_SOCKET_PATH_BYTES, socketPathsBelow } from "../runner/runDir.ts";

const runDirModule = path.resolve(import.meta.dirname, "../runner/runDir.ts");

/** A checkout path of `length` characters under the temp folder. */
function longCheckout(length: number): string {
  const base = path.join(os.tmpdir(), "checkout-");
  return base + "x".repeat(length - base.length);
}

test("with a 150-character checkout path, every socket the run creates stays under 108 bytes", async () => {
  const checkout = longCheckout(150);
  assert.equal(checkout.length, 150);
  mkdirSync(checkout, { recursive: true });
  const previousCwd = process.cwd();
  process.chdir(checkout);
  const run = createRunDir("vscode");
  try {
    assert.ok(!run.dir.startsWith(checkout), "the run folder is not inside the checkout");
    const env = isolatedEnv(path.join(run.dir, "chromium"));
    assert.ok(env.TMPDIR?.startsWith(run.dir));
    for (const socket of socketPathsBelow(run.dir)) {
      assert.ok(Buffer.byteLength(socket) <= MAX_SOCKET_PATH_BYTES, `${socket} is ${Buffer.byteLength(socket)} bytes`);
    }
    // And the longest one really binds.
    const longest = socketPathsBelow(run.dir).sort((a, b) => b.length - a.length)[0];
    mkdirSync(path.dirname(longest), { recursive: true });
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once("error", reject).listen(longest, resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  } finally {
    run.dispose();
    process.chdir(previousCwd);
    rmSync(checkout, { recursive: true, force: true });
  }
  assert.equal(existsSync(run.dir), false, "dispose removes the folder");
});

for (const [how, body] of [
  ["returns normally", ""],
  ["calls process.exit(1)", "process.exit(1);"],
  ["throws", "throw new Error('boom');"],
  ["gets SIGTERM", "process.kill(process.pid, 'SIGTERM'); setTimeout(() => {}, 5000);"],
] as const) {
  test(`the run folder and its registered cleanups run when the runner ${how}`, () => {
    const script = `
      import { createRunDir } from ${JSON.stringify(runDirModule)};
      import { writeFileSync } from "node:fs";
      const run = createRunDir("selftest");
      console.log(run.dir);
      run.onDispose(() => writeFileSync(run.dir + ".cleaned", "yes"));
      ${body}
    `;
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    const dir = result.stdout.trim().split("\n")[0];
    assert.ok(dir && dir.includes("pc-selftest-"), `${result.stdout} ${result.stderr}`);
    assert.equal(existsSync(dir), false, `the run folder is gone (${how})`);
    assert.equal(existsSync(`${dir}.cleaned`), true, `the cleanup ran (${how})`);
    rmSync(`${dir}.cleaned`, { force: true });
  });
}
