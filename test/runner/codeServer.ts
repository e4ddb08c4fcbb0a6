// Starts a real VS Code (code-server: workbench + server + Node extension host) on 127.0.0.1 for integration and
// UI tests, isolated from the user's home, and stops it by process group so no file watcher outlives the run.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");

/** Installs code-server into the version-keyed cache (no-op when present) and returns its executable. */
export function ensureCodeServer(): string {
  const installDir = execFileSync("bash", [path.join(repoRoot, "scripts/install-code-server.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  return path.join(installDir, "node_modules/.bin/code-server");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** HOME, XDG_* and TMPDIR under the run folder, so neither code-server nor Chromium writes into the real home. */
export function isolatedEnv(runDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const dirs = { HOME: "home", XDG_CONFIG_HOME: "home/.config", XDG_DATA_HOME: "home/.local/share", XDG_CACHE_HOME: "home/.cache", TMPDIR: "tmp" };
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const [name, relative] of Object.entries(dirs)) {
    const dir = path.join(runDir, relative);
    mkdirSync(dir, { recursive: true });
    env[name] = dir;
  }
  // Keep the model cache shared: synthetic models are expensive to regenerate and are keyed by generator version.
  env.PRIVATE_CODER_CACHE = process.env.PRIVATE_CODER_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache/private-coder");
  return env;
}

export interface CodeServerOptions {
  readonly executable: string;
  readonly runDir: string;
  /** User settings written to the profile before start. */
  readonly userSettings?: Record<string, unknown>;
  /**
   * Machine settings (`<user-data>/Machine/settings.json`). A remote host (code-server, like Remote-SSH, WSL or
   * Codespaces) applies `machine`-scoped settings only from here, never from the user's settings, so the model
   * paths must be written here to survive the next settings change.
   */
  readonly machineSettings?: Record<string, unknown>;
  /** Extra environment for the server and so for the extension host it starts. */
  readonly env?: Record<string, string>;
  /** Port to listen on; a free one when absent. */
  readonly port?: number;
  /** Receives a synchronous cleanup that kills the server's process group, registered as soon as it is spawned. */
  readonly registerCleanup?: (cleanup: () => void) => void;
}

/** Kills a process group at once (synchronous, so it also works from an `exit` handler). */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is gone already.
  }
}

export interface RunningCodeServer {
  readonly port: number;
  readonly baseUrl: string;
  readonly userDataDir: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const port = options.port ?? (await freePort());
  const userDataDir = path.join(options.runDir, "user-data");
  const extensionsDir = path.join(options.runDir, "extensions");
  mkdirSync(path.join(userDataDir, "User"), { recursive: true });
  mkdirSync(path.join(userDataDir, "Machine"), { recursive: true });
  writeFileSync(path.join(userDataDir, "Machine/settings.json"), JSON.stringify(options.machineSettings ?? {}, null, 2));
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, "User/settings.json"),
    JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "security.workspace.trust.enabled": false,
        "telemetry.telemetryLevel": "off",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "update.mode": "none",
        "chat.commandCenter.enabled": false,
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "git.openRepositoryInParentFolders": "never",
        ...options.userSettings,
      },
      null,
      2,
    ),
  );
  const logFile = createWriteStream(path.join(options.runDir, "code-server.log"));
  const child = spawn(
    options.executable,
    [
      "--auth", "none",
      "--bind-addr", `127.0.0.1:${port}`,
      "--user-data-dir", userDataDir,
      "--extensions-dir", extensionsDir,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
    ],
    { env: isolatedEnv(options.runDir, options.env), detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout.pipe(logFile);
  child.stderr.pipe(logFile);
  options.registerCleanup?.(() => killProcessGroup(child.pid));

  await new Promise<void>((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => reject(new Error(`code-server did not start within 60 s; see ${options.runDir}/code-server.log`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("HTTP server listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code} before listening; see ${options.runDir}/code-server.log`));
    });
  }).catch((error: unknown) => {
    // A server that did not come up must not stay behind.
    killProcessGroup(child.pid);
    logFile.end();
    throw error;
  });

  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    userDataDir,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        return;
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
      // The group may still hold the extension host or a watcher after the server itself exits.
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* group empty: good */
      }
      logFile.end();
    },
  };
}

/**
 * The workbench URL that opens `target` with our extension loaded as a development extension: a folder, or a
 * multi-root workspace when `target` is a `.code-workspace` file.
 */
export function workbenchUrl(server: RunningCodeServer, target: string, extras: Record<string, string> = {}): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [["extensionDevelopmentPath", remote(repoRoot)], ...Object.entries(extras).map(([k, v]) => [k, remote(v)])];
  const open = target.endsWith(".code-workspace") ? "workspace" : "folder";
  return `${server.baseUrl}/?${open}=${encodeURIComponent(target)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
