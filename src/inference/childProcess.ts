/**
 * One inference child process as the host sees it: the forked process, its jsonrpc connection, its exit, and the
 * tail of its stderr (the only trace a native abort leaves). `LocalEngineClient` owns the policy (restart,
 * breaker); this file only spawns, handshakes and kills.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";
import { EngineError } from "./errors.ts";
import { EngineErrorCode, ReadyNotification } from "./protocol.ts";

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnOptions {
  childPath: string;
  execPath: string;
  env: NodeJS.ProcessEnv;
  /** Raw output lines of the child. */
  onOutput: (stream: "stderr" | "stdout", line: string) => void;
}

const STDERR_TAIL_LINES = 20;

export class ChildHandle {
  readonly connection: MessageConnection;
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>;
  exit: ChildExit | null = null;
  /** Set before a kill or shutdown we asked for: its exit is not a crash. */
  intentional = false;
  private readonly stderrTail: string[] = [];
  private readonly ready: Promise<void>;

  private constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) => {
      process.once("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
    this.ready = new Promise((resolve) => {
      const subscription = this.connection.onNotification(ReadyNotification, () => {
        subscription.dispose();
        resolve();
      });
    });
    // Listening now is safe: no IPC message is processed before the caller (same tick) registers its handlers.
    this.connection.listen();
  }

  /**
   * Forks the child. `ELECTRON_RUN_AS_NODE` makes desktop VS Code's Electron binary behave as plain Node; in
   * code-server `execPath` is Node already and the variable is ignored. `execArgv: []` keeps the host's
   * `--inspect` and loader flags away from the child.
   *
   * `UV_THREADPOOL_SIZE=1`: node-llama-cpp runs every decode as a libuv work item, and with several pool threads
   * consecutive tokens run on different threads. Measured on 2 cores (qwen05b Q8_0, 2 compute threads, tg128):
   * prebuilt 38 t/s with the default pool of 4, 34 with 2, 47 with 1; the OpenMP build for this CPU 17 / 17 / 25
   * (libgomp keeps one worker pool per calling thread, and with more pool threads than cores it stops spinning
   * between tokens). The cost: work items queue behind each other, so loading a second model delays a completion
   * until the load is done; nothing in the child waits on another work item, so none can deadlock.
   */
  static spawn(options: SpawnOptions): ChildHandle {
    const child = fork(options.childPath, [], {
      execPath: options.execPath,
      execArgv: [],
      env: { ...options.env, UV_THREADPOOL_SIZE: "1", ELECTRON_RUN_AS_NODE: "1" },
      serialization: "json",
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const handle = new ChildHandle(child);
    // A failed spawn emits "error" (and maybe no "exit"): turn it into an exit so nobody waits forever.
    child.once("error", (error) => {
      handle.stderrTail.push(`spawn error: ${error.message}`);
      if (handle.exit == null) child.emit("exit", null, null);
    });
    for (const stream of ["stdout", "stderr"] as const) {
      const source = child[stream];
      if (source == null) continue;
      createInterface({ input: source, crlfDelay: Infinity }).on("line", (line) => {
        if (stream === "stderr") {
          handle.stderrTail.push(line);
          if (handle.stderrTail.length > STDERR_TAIL_LINES) handle.stderrTail.shift();
        }
        options.onOutput(stream, line);
      });
    }
    return handle;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** The last stderr lines (e.g. a `GGML_ASSERT` message before an abort). */
  lastStderr(lines = 5): string {
    return this.stderrTail.slice(-lines).join("\n");
  }

  /** Waits for the child's `engine/ready`. */
  async waitReady(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.ready,
        this.exited.then((exit) => {
          throw new EngineError(
            EngineErrorCode.StartFailed,
            `The inference engine exited during startup (code ${exit.code}, signal ${exit.signal}). ${this.lastStderr()}`.trim(),
          );
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new EngineError(EngineErrorCode.StartFailed, `The inference engine did not start within ${timeoutMs} ms.`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL (idempotent); resolves once the process is gone. */
  async kill(): Promise<ChildExit> {
    this.intentional = true;
    if (this.exit == null) this.process.kill("SIGKILL");
    return this.exited;
  }

  dispose(): void {
    this.connection.dispose();
  }
}

/** Rejects with `error()` if `promise` does not settle within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
