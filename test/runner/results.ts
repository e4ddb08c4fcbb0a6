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
