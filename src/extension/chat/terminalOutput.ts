/**
 * `@terminal`: the output of the last command run in each terminal, as VS Code's shell integration reports it.
 * Recorded as commands run (bounded), because the API gives a command's output only while it runs. Without shell
 * integration there is nothing to read, and the user is told so.
 */
import * as vscode from "vscode";

/** Characters kept of one command's output (the tail: errors come last). */
const MAX_OUTPUT_CHARS = 200_000;

export interface TerminalCommand {
  readonly commandLine: string;
  readonly output: string;
  readonly exitCode: number | undefined;
}

export class TerminalOutput implements vscode.Disposable {
  private readonly last = new WeakMap<vscode.Terminal, TerminalCommand>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    // Older hosts (and some remote ones) lack the API: `@terminal` then says shell integration is unavailable.
    if (typeof vscode.window.onDidStartTerminalShellExecution !== "function") return;
    this.subscriptions.push(
      vscode.window.onDidStartTerminalShellExecution((event) => {
        void this.record(event.terminal, event.execution);
      }),
      vscode.window.onDidEndTerminalShellExecution((event) => {
        const recorded = this.last.get(event.terminal);
        if (recorded) this.last.set(event.terminal, { ...recorded, exitCode: event.exitCode });
      }),
    );
  }

  /** Whether the active terminal has shell integration at all. */
  get available(): boolean {
    return vscode.window.activeTerminal?.shellIntegration !== undefined;
  }

  /** The last command of the active terminal, if shell integration reported one. */
  lastCommand(): TerminalCommand | undefined {
    const terminal = vscode.window.activeTerminal;
    return terminal ? this.last.get(terminal) : undefined;
  }

  private async record(terminal: vscode.Terminal, execution: vscode.TerminalShellExecution): Promise<void> {
    let output = "";
    const commandLine = execution.commandLine.value;
    this.last.set(terminal, { commandLine, output, exitCode: undefined });
    try {
      for await (const data of execution.read()) {
        output += data;
        if (output.length > MAX_OUTPUT_CHARS * 2) output = output.slice(-MAX_OUTPUT_CHARS);
        const current = this.last.get(terminal);
        this.last.set(terminal, { commandLine, output: output.slice(-MAX_OUTPUT_CHARS), exitCode: current?.exitCode });
      }
    } catch {
      // The terminal closed while its output was read: what was read is kept.
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** Terminal output without its escape sequences (colours, cursor moves, shell-integration marks). */
export function plainTerminalText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\][^\u0007\u001b]*(\u0007|\u001b\\)/g, "").replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "").replace(/\r(?!\n)/g, "\n");
}
