// `npm run test:vscode`: runs the integration suites inside a real VS Code extension host (code-server 4.100.3,
// Code 1.100.3) and then the UI scripts in the real workbench, both in Debian's Chromium via playwright-core.
// Fails on any failed test, on zero tests, and on time-outs. Logs and screenshots go to test-results/.
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { launchBrowser, CHROMIUM_PATH } from "./browser.ts";
import { ensureCodeServer, isolatedEnv, repoRoot, startCodeServer, workbenchUrl, type RunningCodeServer } from "./codeServer.ts";
import { createRunDir } from "./runDir.ts";
import { ONLY_ENV, RESULTS_ENV, type SuiteResults } from "./results.ts";
import { SCRIPTED_COMPLETION_TEXTS_ENV } from "../../src/extension/completion/scriptedTexts.ts";
import { SCRIPTED_CHAT_ANSWER_ENV } from "../../src/extension/chat/scriptedAnswer.ts";
import { runUiScripts } from "./ui.ts";
import { prepareIntegrationWorkspace, prepareTestModels, TEST_MODELS_ENV } from "./workspace.ts";
import { ensureLlamaTools } from "../../scripts/llama-tools.ts";
import { LLAMA_SERVER_ENV } from "../fixtures/llamaServer.ts";

import type { Browser } from "playwright-core";

const INTEGRATION_TIMEOUT_MS = Number(process.env.PRIVATE_CODER_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);
const resultsDir = path.join(repoRoot, "test-results");
/** Short, under os.tmpdir(), removed on every way out together with code-server and Chromium (see runDir.ts). */
const run = createRunDir("vscode");
const runDir = run.dir;

/** A failure that ends the run; thrown, so the `finally` blocks stop what was started before the process exits. */
class RunFailure extends Error {}

function fail(message: string): never {
  throw new RunFailure(message);
}

function preflight(): void {
  for (const built of ["dist/extension.cjs", "dist/inference/child.mjs", "dist/webview/chat.js", "out/test/integration/index.cjs"]) {
    if (!existsSync(path.join(repoRoot, built))) fail(`${built} is missing: run \`npm run build\` first.`);
  }
  if (!existsSync(CHROMIUM_PATH)) fail(`Chromium not found at ${CHROMIUM_PATH}: install it (\`sudo apt-get install chromium\`) or set CHROMIUM_PATH.`);
}

async function runIntegration(browser: Browser, server: RunningCodeServer, resultsFile: string): Promise<SuiteResults> {
  const workspace = prepareIntegrationWorkspace(path.join(runDir, "integration-workspace"));
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const consoleLog = path.join(resultsDir, "integration-browser-console.log");
  page.on("console", (message) => appendFileSync(consoleLog, `[${message.type()}] ${message.text()}\n`));
  let exitCode: number | undefined;
  await page.exposeFunction("codeAutomationExit", (code: number) => {
    exitCode = code;
  });
  const url = workbenchUrl(server, workspace, { extensionTestsPath: path.join(repoRoot, "out/test/integration/index.cjs") });
  await page.goto(url);
  const started = Date.now();
  while (!existsSync(resultsFile)) {
    if (Date.now() - started > INTEGRATION_TIMEOUT_MS) {
      await page.screenshot({ path: path.join(resultsDir, "integration-timeout.png") });
      fail(`integration suite did not report within ${INTEGRATION_TIMEOUT_MS / 1000} s (exit code ${String(exitCode)}); see test-results/code-server.log`);
    }
    if (exitCode !== undefined) {
      // The host exited: give the file a moment (it is written before exit), then give up.
      await new Promise((r) => setTimeout(r, 2000));
      if (!existsSync(resultsFile)) fail(`the extension host exited with ${exitCode} without writing results; see test-results/code-server.log`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const results = JSON.parse(readFileSync(resultsFile, "utf8")) as SuiteResults;
  await context.close();
  return results;
}

async function main(): Promise<void> {
  preflight();
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const executable = ensureCodeServer();
  const resultsFile = path.join(runDir, "integration-results.json");
  const models = await prepareTestModels();
  // Written only by a UI script that needs known suggestion texts (see scriptedTexts.ts); absent, the model writes.
  const completionTextsFile = path.join(runDir, "ui-completion-texts.json");
  // The same for a chat answer (see scriptedAnswer.ts): a UI script that needs an edit answer with code.
  const chatAnswerFile = path.join(runDir, "ui-chat-answer.json");
  // The remote-backend suite runs a real llama-server: built once per machine (about 16 minutes on 2 cores), cached.
  const llamaServer = path.join(ensureLlamaTools(), "bin", "llama-server");
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let failures = 0;
  try {
    // One machine-scoped value in the Machine settings, where a remote host applies them (checked by 01-activation).
    const machineSettings = { "privateCoder.engine.gpuLayers": 0 };
    server = await startCodeServer({
      executable,
      runDir,
      machineSettings,
      env: {
        [RESULTS_ENV]: resultsFile,
        [TEST_MODELS_ENV]: JSON.stringify(models),
        [ONLY_ENV]: process.env[ONLY_ENV] ?? "",
        [SCRIPTED_COMPLETION_TEXTS_ENV]: completionTextsFile,
        [SCRIPTED_CHAT_ANSWER_ENV]: chatAnswerFile,
        [LLAMA_SERVER_ENV]: llamaServer,
      },
      registerCleanup: (cleanup) => run.onDispose(cleanup),
    });
    console.log(`code-server ${server.baseUrl} started in ${runDir} (log: test-results/code-server.log)`);
    browser = await launchBrowser(isolatedEnv(path.join(runDir, "chromium")));
    const results = await runIntegration(browser, server, resultsFile);
    writeFileSync(path.join(resultsDir, "integration-results.json"), JSON.stringify(results, null, 2));
    console.log(`\nIntegration tests, inside ${results.host.appName} ${results.host.vscodeVersion} (${results.host.appHost}) extension host on ${results.host.execPath} (Node ${results.host.nodeVersion}):`);
    for (const t of results.tests) {
      const mark = t.state === "passed" ? "✔" : t.state === "failed" ? "✘" : "-";
      console.log(`  ${mark} ${t.title}${t.durationMs !== undefined ? ` (${t.durationMs} ms)` : ""}`);
      if (t.error) console.log(`      ${t.error.split("\n").join("\n      ")}`);
    }
    console.log(`integration: ${results.passed} passed, ${results.failed} failed, ${results.pending} pending (ran in the VS Code extension host)`);
    const filtered = Boolean(process.env[ONLY_ENV]?.trim());
    if (results.passed + results.failed === 0 && !filtered) fail("integration: zero tests ran in the extension host");
    failures += results.failed;

    const ui = await runUiScripts(browser, server, { runDir, resultsDir, completionTextsFile, chatAnswerFile }, models);
    console.log(`ui: ${ui.passed} passed, ${ui.failed} failed (screenshots in test-results/ui)`);
    if (ui.passed + ui.failed === 0 && !filtered) fail("ui: zero UI scripts ran");
    failures += ui.failed;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    // The run folder goes away; its log stays with the results.
    const log = path.join(runDir, "code-server.log");
    if (existsSync(log)) copyFileSync(log, path.join(resultsDir, "code-server.log"));
    run.dispose();
  }
  if (failures > 0) fail(`${failures} VS Code test(s) failed`);
}

main().catch((error: unknown) => {
  console.error(`\n✘ ${error instanceof RunFailure ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  run.dispose();
  process.exitCode = 1;
});
