// `npm start`: builds, then opens demo/workspace in a real VS Code (code-server, in your browser) with the
// extension loaded from this checkout, and keeps running until Ctrl+C.
//   npm start                        use the model you configured (or pick one: Private Coder: Select Model…)
//   npm start -- --synthetic         preconfigure a generated synthetic model (runs for real, output is gibberish)
//   npm start -- --synthetic=qwen05b a synthetic model with Qwen2.5-Coder-0.5B's shapes, for realistic speed
//   npm start -- --port 8080         choose the port (default: 8080, or a free one if taken)
//   npm run start:desktop            the same in a desktop VS Code (`code` on PATH)
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { ensureCodeServer, freePort, repoRoot, startCodeServer, workbenchUrl } from "../test/runner/codeServer.ts";
import { placeSettings, type ProfileSettings } from "../test/runner/profileSettings.ts";

const args = process.argv.slice(2);
const desktop = args.includes("--desktop");
const syntheticArg = args.find((a) => a === "--synthetic" || a.startsWith("--synthetic="));
const portIndex = args.indexOf("--port");
const requestedPort = portIndex >= 0 ? Number(args[portIndex + 1]) : 8080;
const workspace = path.join(repoRoot, "demo/workspace");
const profileDir = path.join(process.env.PRIVATE_CODER_CACHE ?? path.join(process.env.HOME ?? "/root", ".cache/private-coder"), "start-profile");

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function syntheticModelSettings(): Promise<Record<string, string>> {
  if (!syntheticArg) return {};
  const preset = syntheticArg.includes("=") ? syntheticArg.split("=")[1] : "tiny";
  const { ensureSyntheticModel } = await import("../test/fixtures/models.ts");
  console.log(`Preparing the synthetic "${preset}" model (generated once, then cached)…`);
  const modelPath = await ensureSyntheticModel(preset as Parameters<typeof ensureSyntheticModel>[0]);
  console.log(`Synthetic model: ${modelPath}\nIts weights are random: everything runs for real, but what it writes is gibberish.`);
  return { "privateCoder.chat.modelPath": modelPath, "privateCoder.completion.modelPath": modelPath };
}

/**
 * Settings the user changed in an earlier `npm start` survive; the synthetic model paths are laid on top, into the
 * Machine settings where code-server (a remote host) applies machine-scoped settings.
 */
function profileSettings(overrides: Record<string, string>): ProfileSettings {
  const read = (file: string) => {
    const full = path.join(profileDir, "user-data", file);
    return existsSync(full) ? (JSON.parse(readFileSync(full, "utf8")) as Record<string, unknown>) : {};
  };
  // Edits in the demo workspace are saved when the user saves them, as in a desktop VS Code (a choice of theirs wins).
  const user = { "files.autoSave": "off", ...read("User/settings.json") };
  return placeSettings({ user, machine: read("Machine/settings.json") }, overrides);
}

async function main(): Promise<void> {
  execFileSync(process.execPath, [path.join(repoRoot, "scripts/build.mjs")], { cwd: repoRoot, stdio: "inherit" });
  const modelSettings = await syntheticModelSettings();

  if (desktop) {
    const settingsNote = Object.keys(modelSettings).length ? `\nSet these in your settings to use the synthetic model:\n${JSON.stringify(modelSettings, null, 2)}` : "";
    console.log(`Opening desktop VS Code with the extension under development.${settingsNote}`);
    const code = spawn("code", ["--new-window", `--extensionDevelopmentPath=${repoRoot}`, workspace], { stdio: "inherit" });
    code.on("error", () => {
      console.error("`code` is not on PATH. Install VS Code's shell command, or use `npm start` (VS Code in the browser).");
      process.exit(1);
    });
    return;
  }

  mkdirSync(profileDir, { recursive: true });
  const executable = ensureCodeServer();
  const port = (await portIsFree(requestedPort)) ? requestedPort : await freePort();
  const settings = profileSettings(modelSettings);
  const server = await startCodeServer({ executable, runDir: profileDir, userSettings: settings.user, machineSettings: settings.machine, port });
  const url = workbenchUrl(server, workspace);
  writeFileSync(path.join(profileDir, "last-url.txt"), url + "\n");
  console.log(`\nPrivate Coder is running in VS Code (code-server, Code 1.100.3) at:\n\n  ${url}\n\nOpen it in your browser. Logs: ${profileDir}/code-server.log. Ctrl+C to stop.`);
  const stop = () => {
    console.log("\nStopping…");
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  server.process.once("exit", (code) => {
    console.error(`code-server exited (${String(code)})`);
    process.exit(code ?? 1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
