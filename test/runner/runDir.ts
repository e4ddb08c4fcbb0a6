// Where a test run keeps its throw-away state (code-server's and Chromium's profiles, HOME, TMPDIR, workspaces), and
// the guarantee that it is gone, with every process the run started, on every way out.
//
// The folder lives under os.tmpdir() with a short name, never inside the checkout: Chromium and code-server create
// Unix sockets under TMPDIR and the profile folders, and a socket path must stay under 108 bytes (`sun_path`), which a
// checkout at a long path would exceed ("Socket path too long").
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** `sun_path` is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

/**
 * The longest socket paths the run creates below its folder (see `isolatedEnv`): Chromium's singleton socket in a
 * `TMPDIR/.org.chromium.Chromium.XXXXXX/` folder, and VS Code's IPC and watcher sockets (`vscode-*-<uuid>.sock`).
 */
export function socketPathsBelow(runDir: string): string[] {
  const tmp = path.join(runDir, "chromium", "tmp");
  const uuid = "00000000-0000-0000-0000-000000000000";
  return [
    path.join(tmp, ".org.chromium.Chromium.XXXXXX", "SingletonSocket"),
    path.join(runDir, "tmp", `vscode-git-${uuid.slice(0, 10)}.sock`),
    path.join(runDir, "tmp", `vscode-ipc-${uuid}.sock`),
    path.join(runDir, "home", ".local", "share", "code-server", `code-server-ipc.sock`),
  ];
}

export interface RunDir {
  readonly dir: string;
  /** Runs the cleanups (last registered first) and removes the folder; safe to call more than once. */
  dispose(): void;
  /** Registers a synchronous cleanup (e.g. killing a process group) that runs on every exit path. */
  onDispose(cleanup: () => void): void;
}

/**
 * A fresh, short run folder under `tmpRoot` (default os.tmpdir()), removed with everything it holds when the run
 * ends: normally, by an exception, by `process.exit`, or by Ctrl+C / SIGTERM.
 */
export function createRunDir(label: string, tmpRoot = os.tmpdir()): RunDir {
  const dir = mkdtempSync(path.join(tmpRoot, `pc-${label}-`));
  const cleanups: (() => void)[] = [];
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    process.off("exit", dispose);
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        cleanup();
      } catch {
        // One failed cleanup must not keep the others from running.
      }
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on("exit", dispose);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      dispose();
      process.exit(128 + (os.constants.signals[signal] ?? 1));
    });
  }
  return { dir, dispose, onDispose: (cleanup) => cleanups.push(cleanup) };
}
