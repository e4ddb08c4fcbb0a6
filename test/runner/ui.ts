// Runs the UI scripts (test/ui/*.ui.ts) in a fresh browser context on the real workbench: each acts as a user and
// saves screenshots under test-results/ui/.
import { appendFileSync, cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { repoRoot, workbenchUrl, type RunningCodeServer } from "./codeServer.ts";
import { ONLY_ENV, selectedByOnly } from "./results.ts";
import { waitForWorkbench } from "../ui/workbench.ts";

export interface UiSession {
  readonly page: Page;
  /** Saves test-results/ui/<name>.png and returns its path. */
  readonly screenshot: (name: string) => Promise<string>;
  /** Synthetic models prepared by the runner: name → path. */
  readonly models: Readonly<Record<string, string>>;
  /**
   * Where a script may write a JSON array of suggestion texts that replace what the model generates (entry 0 the
   * first suggestion, entry N the Nth alternative), for checks that need known, distinct suggestions; the runner
   * removes it after each script.
   */
  readonly completionTextsFile: string;
  /** The same for a chat answer: a JSON string there replaces the text of every chat answer (scriptedAnswer.ts). */
  readonly chatAnswerFile: string;
  /** code-server's user data folder (global storage lives under `User/globalStorage/<extension id>`). */
  readonly userDataDir: string;
}

export interface UiScript {
  readonly title: string;
  run(session: UiSession): Promise<void>;
}

export async function runUiScripts(
  browser: Browser,
  server: RunningCodeServer,
  paths: { runDir: string; resultsDir: string; completionTextsFile: string; chatAnswerFile: string },
  models: Readonly<Record<string, string>>,
): Promise<{ passed: number; failed: number }> {
  const { runDir, resultsDir } = paths;
  const uiDir = path.join(resultsDir, "ui");
  mkdirSync(uiDir, { recursive: true });
  const workspace = path.join(runDir, "ui-workspace");
  cpSync(path.join(repoRoot, "demo/workspace"), workspace, { recursive: true });
  const scripts = readdirSync(path.join(repoRoot, "test/ui"))
    .filter((f) => f.endsWith(".ui.ts") && selectedByOnly(f, "ui", process.env[ONLY_ENV]))
    .sort();
  let passed = 0;
  let failed = 0;
  console.log("\nUI tests, in the real workbench (Chromium):");
  for (const file of scripts) {
    const script = (await import(pathToFileURL(path.join(repoRoot, "test/ui", file)).href)) as UiScript;
    // A fresh context per script: a window whose extension host has no test runner attached, like a user's.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    page.on("console", (message) => appendFileSync(path.join(resultsDir, "ui-browser-console.log"), `[${file}] [${message.type()}] ${message.text()}\n`));
    const session: UiSession = {
      page,
      models,
      completionTextsFile: paths.completionTextsFile,
      chatAnswerFile: paths.chatAnswerFile,
      userDataDir: server.userDataDir,
      screenshot: async (name) => {
        const target = path.join(uiDir, `${name}.png`);
        await page.screenshot({ path: target });
        return target;
      },
    };
    const started = Date.now();
    try {
      await page.goto(workbenchUrl(server, workspace));
      await waitForWorkbench(page);
      await script.run(session);
      passed++;
      console.log(`  ✔ ${script.title} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      await session.screenshot(`FAILED-${path.basename(file, ".ui.ts")}`).catch(() => undefined);
      console.log(`  ✘ ${script.title}\n      ${String(error instanceof Error ? (error.stack ?? error.message) : error).split("\n").join("\n      ")}`);
    } finally {
      await context.close();
      rmSync(paths.completionTextsFile, { force: true });
      rmSync(paths.chatAnswerFile, { force: true });
    }
  }
  return { passed, failed };
}
