// `npm run test:electron`: the same integration suites in a desktop VS Code downloaded by @vscode/test-electron
// (needs internet and a display; for contributors with a desktop). CI uses code-server instead
// (`npm run test:vscode`), because these machines cannot download VS Code.
import { runTests } from "@vscode/test-electron";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./codeServer.ts";
import { RESULTS_ENV, type SuiteResults } from "./results.ts";
import { createRunDir } from "./runDir.ts";
import { prepareIntegrationWorkspace, prepareTestModels, TEST_MODELS_ENV } from "./workspace.ts";

// Short and outside the checkout: VS Code's sockets live in the user-data folder (see runDir.ts).
const run = createRunDir("electron");
const runDir = run.dir;
const workspace = prepareIntegrationWorkspace(path.join(runDir, "integration-workspace"));
const models = await prepareTestModels();
const resultsFile = path.join(runDir, "integration-results.json");

try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? "1.100.3",
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, "out/test/integration/index.cjs"),
    extensionTestsEnv: { [RESULTS_ENV]: resultsFile, [TEST_MODELS_ENV]: JSON.stringify(models) },
    launchArgs: [workspace, "--disable-extensions", "--disable-workspace-trust", `--user-data-dir=${path.join(runDir, "user-data")}`],
  });
} catch (error) {
  console.error(`VS Code tests failed: ${String(error)}`);
  process.exitCode = 1;
}
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, "utf8")) as SuiteResults;
  console.log(`integration: ${results.passed} passed, ${results.failed} failed (ran in ${results.host.appName} ${results.host.vscodeVersion})`);
  if (results.passed + results.failed === 0) process.exitCode = 1;
} else {
  console.error("no results file: the suite did not run");
  process.exitCode = 1;
}
run.dispose();
