// Entry point VS Code calls inside the extension host (`extensionTestsPath`), under code-server here and under
// @vscode/test-electron on a desktop. Runs every suite with mocha and writes the results file the runner reads.
import Mocha from "mocha";
import { readdirSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { ONLY_ENV, RESULTS_ENV, selectedByOnly, type SuiteResults } from "../runner/results.ts";

type TestResult = SuiteResults["tests"][number];

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", timeout: 120_000, color: false, reporter: "spec" });
  // Suites run in file-name order; the deactivation suite is named to run last because it tears the extension down.
  const suites = readdirSync(__dirname)
    .filter((file) => file.endsWith(".test.cjs") && selectedByOnly(file, "integration", process.env[ONLY_ENV]))
    .sort();
  for (const file of suites) mocha.addFile(path.join(__dirname, file));

  const tests: TestResult[] = [];
  const started = Date.now();
  const failures = await new Promise<number>((resolve) => {
    const runner = mocha.run((count) => resolve(count));
    runner.on("pass", (test) => tests.push({ title: test.fullTitle(), state: "passed", durationMs: test.duration ?? 0 }));
    runner.on("fail", (test, error: Error) => tests.push({ title: test.fullTitle(), state: "failed", error: error.stack ?? error.message }));
    runner.on("pending", (test) => tests.push({ title: test.fullTitle(), state: "pending" }));
  });
  const results: SuiteResults = {
    passed: tests.filter((t) => t.state === "passed").length,
    failed: tests.filter((t) => t.state === "failed").length,
    pending: tests.filter((t) => t.state === "pending").length,
    durationMs: Date.now() - started,
    tests,
    host: { appName: vscode.env.appName, appHost: vscode.env.appHost, vscodeVersion: vscode.version, execPath: process.execPath, nodeVersion: process.versions.node },
  };
  const resultsFile = process.env[RESULTS_ENV] ?? path.join(__dirname, "results.json");
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, JSON.stringify(results, null, 2));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
