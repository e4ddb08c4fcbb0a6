/** The file the mocha suite writes inside the extension host and the runner reads: the contract between them. */
export interface SuiteResults {
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
  readonly durationMs: number;
  readonly tests: readonly { readonly title: string; readonly state: "passed" | "failed" | "pending"; readonly durationMs?: number; readonly error?: string }[];
  /** Where the suite ran, as the extension host saw it. */
  readonly host: { readonly appName: string; readonly appHost: string; readonly vscodeVersion: string; readonly execPath: string; readonly nodeVersion: string };
}

export const RESULTS_ENV = "PRIVATE_CODER_TEST_RESULTS";

/**
 * Developers' filter for a quicker loop: `PRIVATE_CODER_ONLY=03,ui:04` runs only the integration suites and UI
 * scripts whose file names start with those prefixes (`ui:` marks a UI script; `ui:none`/`none` runs none of that
 * kind). Unset, everything runs, as in CI. The deactivation suite (99) always runs last when integration runs.
 */
export const ONLY_ENV = "PRIVATE_CODER_ONLY";

export function selectedByOnly(fileName: string, kind: "integration" | "ui", only: string | undefined): boolean {
  if (!only?.trim()) return true;
  const wanted = only.split(",").map((s) => s.trim()).filter(Boolean);
  const mine = wanted.filter((w) => (kind === "ui" ? w.startsWith("ui:") : !w.startsWith("ui:"))).map((w) => w.replace(/^ui:/, ""));
  if (mine.length === 0) return false;
  if (kind === "integration" && fileName.startsWith("99-") && !mine.includes("none")) return true;
  return mine.some((prefix) => prefix !== "none" && fileName.startsWith(prefix));
}
