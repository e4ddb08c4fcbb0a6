// The integration tests' workspace: a real multi-root workspace (a `.code-workspace` with two folders), so every
// suite runs the way a multi-root user works and the multi-root suite can check per-folder behaviour.
//   app/  ← test/fixtures/workspace       (workspaceFolders[0], the folder most suites write into)
//   lib/  ← test/fixtures/workspace-lib   (its own .privatecoderignore: generated/**)
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./codeServer.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";

/** Synthetic models the suites use, generated (or taken from the cache) before VS Code starts. */
export const TEST_MODELS = ["tiny", "tiny-nofim", "broken-magic", "broken-truncated"] as const;
/** The environment variable that hands them to the extension host (name → path; see test/integration/helpers.ts). */
export const TEST_MODELS_ENV = "PRIVATE_CODER_TEST_MODELS";

export async function prepareTestModels(): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(TEST_MODELS.map(async (name) => [name, await ensureSyntheticModel(name)] as const)));
}

/** Copies the fixture folders under `dir` and writes the workspace file; returns the `.code-workspace` path. */
export function prepareIntegrationWorkspace(dir: string): string {
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(repoRoot, "test/fixtures/workspace"), path.join(dir, "app"), { recursive: true });
  cpSync(path.join(repoRoot, "test/fixtures/workspace-lib"), path.join(dir, "lib"), { recursive: true });
  const file = path.join(dir, "integration.code-workspace");
  writeFileSync(file, JSON.stringify({ folders: [{ path: "app" }, { path: "lib" }], settings: {} }, null, 2));
  return file;
}
