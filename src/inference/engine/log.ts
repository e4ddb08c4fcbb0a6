/**
 * The child's logger: every line goes to the host as an `engine/log` notification (the host writes it to its
 * output channel). Before the connection exists, lines go to stderr, which the host also captures.
 * Callers log metadata only: never prompt or generated text.
 */
import type { MessageConnection } from "vscode-jsonrpc";
import { LogNotification, type LogLevel } from "../protocol.ts";

const LEVELS: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

export class ChildLogger {
  private connection: MessageConnection | null = null;
  private minLevel: LogLevel = "info";

  attach(connection: MessageConnection): void {
    this.connection = connection;
  }

  setLevel(level: LogLevel): void {
    this.minLevel = level;
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    if (this.connection) {
      // A notification to a closed channel throws; logging must never take the child down.
      this.connection.sendNotification(LogNotification, { level, message }).catch(() => undefined);
    } else {
      process.stderr.write(`[${level}] ${message}\n`);
    }
  }

  trace(message: string): void {
    this.log("trace", message);
  }
  debug(message: string): void {
    this.log("debug", message);
  }
  info(message: string): void {
    this.log("info", message);
  }
  warn(message: string): void {
    this.log("warn", message);
  }
  error(message: string): void {
    this.log("error", message);
  }
}
