/** Shared setup of the engine tests: a real child, real node-llama-cpp, synthetic models. */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalEngineClient, type LocalEngineClientOptions } from "../../src/inference/client.ts";
import type { LogEvent } from "../../src/inference/client.ts";
import { ensureChildBuilt } from "./childBuild.ts";

/** A thread cache shared by the test files of one run, so each model is measured once. */
const cacheDir = path.join(os.tmpdir(), `private-coder-engine-tests-${process.ppid}`);

export interface TestClient {
  client: LocalEngineClient;
  logs: LogEvent[];
}

export async function createClient(options: Partial<LocalEngineClientOptions> = {}): Promise<TestClient> {
  const childPath = await ensureChildBuilt();
  const client = new LocalEngineClient({ childPath, cacheDir, gpu: false, handshakeTimeoutMs: 60_000, ...options });
  const logs: LogEvent[] = [];
  client.onLog((e) => {
    logs.push(e);
    if (process.env.ENGINE_TEST_LOGS) console.error(`[${e.source}] ${e.level}: ${e.message}`);
  });
  return { client, logs };
}

export function tempDir(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "private-coder-engine-"));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether a process with this pid exists (signal 0 checks without killing). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** ~90 lines of code, long enough that a re-evaluated prompt costs clearly more than a warm keystroke. */
export function codePrefix(): string {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) {
    lines.push(`export function helper${i}(value: number): number {`, `  return value * ${i} + ${i % 7};`, "}");
  }
  return `${lines.join("\n")}\n`;
}
