/**
 * Entry of the inference child process (bundled to dist/inference/child.mjs, started by `LocalEngineClient` with
 * `child_process.fork`). It owns llama.cpp: when llama.cpp aborts or the OS kills us for memory, only this process
 * dies and the host restarts it.
 *
 * Lifecycle: listen on the IPC channel → `engine/ready` → host sends `engine/initialize` → requests.
 * Exits on `engine/shutdown`, and by itself when the IPC channel closes (the host died or reloaded), so no orphan
 * keeps a model in memory.
 */
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type CancellationToken } from "vscode-jsonrpc/node.js";
import { EngineCancelledError, EngineError, toResponseError } from "./errors.ts";
import {
  BenchDecodeRequest,
  ChatRequest,
  CompleteRequest,
  FinishCompletionNotification,
  CountTokensRequest,
  CrashNotification,
  EstimateFitRequest,
  InitializeRequest,
  LoadModelRequest,
  PrewarmRequest,
  LoadProgressNotification,
  ModelStateNotification,
  ReadyNotification,
  ShutdownRequest,
  StatusRequest,
  TextChunkNotification,
  TokenizeRequest,
  UnloadModelRequest,
} from "./protocol.ts";
import { Engine } from "./engine/engine.ts";
import { ChildLogger } from "./engine/log.ts";

if (typeof process.send !== "function") {
  process.stderr.write("The Private Coder inference child must be started with an IPC channel (child_process.fork).\n");
  process.exit(2);
}

const log = new ChildLogger();
const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
log.attach(connection);

let exiting = false;
/** Sends the crash report and exits; the host sees the exit and restarts us. */
function crash(kind: string, error: unknown): void {
  if (exiting) return;
  exiting = true;
  const message = error instanceof Error ? `${kind}: ${error.message}` : `${kind}: ${String(error)}`;
  const stack = error instanceof Error ? (error.stack ?? null) : null;
  process.stderr.write(`${message}\n${stack ?? ""}\n`);
  const exit = (): void => process.exit(70);
  // Give the notification a moment to leave the pipe, but never hang on a broken channel.
  setTimeout(exit, 300).unref();
  connection.sendNotification(CrashNotification, { message, stack }).then(
    () => setTimeout(exit, 50),
    exit,
  );
}
process.on("uncaughtException", (error) => crash("uncaught exception", error));
// A stray rejected promise does not corrupt llama.cpp's state: report it, keep serving (Node's default would exit).
process.on("unhandledRejection", (reason) => {
  log.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

const engine = new Engine(log, {
  progress: (p) => void connection.sendNotification(LoadProgressNotification, p).catch(() => undefined),
  chunk: (requestId, text) => void connection.sendNotification(TextChunkNotification, { requestId, text }).catch(() => undefined),
  modelState: (p) => void connection.sendNotification(ModelStateNotification, p).catch(() => undefined),
});

/** jsonrpc cancellation → AbortSignal, which node-llama-cpp understands. */
function toSignal(token: CancellationToken): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  const subscription = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => subscription.dispose() };
}

/** Runs a handler; every failure reaches the host as a typed `ResponseError`. */
async function handle<T>(token: CancellationToken | null, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { signal, dispose } = token ? toSignal(token) : { signal: new AbortController().signal, dispose: () => undefined };
  try {
    return await run(signal);
  } catch (error) {
    // node-llama-cpp throws the signal's reason (an AbortError) or DisposedError when a request is cancelled or its
    // model is unloaded under it: both are cancellations to the host, not engine failures.
    if (!(error instanceof EngineError) && (signal.aborted || (error instanceof Error && error.name === "DisposedError"))) {
      throw toResponseError(new EngineCancelledError(signal.aborted ? undefined : "The model was unloaded during the request."));
    }
    throw toResponseError(error);
  } finally {
    dispose();
  }
}

connection.onRequest(InitializeRequest, (params) => handle(null, () => engine.initialize(params)));
connection.onRequest(LoadModelRequest, (params, token) => handle(token, (signal) => engine.loadModel(params, signal)));
connection.onRequest(UnloadModelRequest, (params) => handle(null, () => engine.unloadModel(params)));
connection.onRequest(CompleteRequest, (params, token) => handle(token, (signal) => engine.complete(params, signal)));
connection.onNotification(FinishCompletionNotification, (params) => engine.finishCompletion(params.requestId));
connection.onRequest(PrewarmRequest, (params, token) => handle(token, (signal) => engine.prewarm(params, signal)));
connection.onRequest(ChatRequest, (params, token) => handle(token, (signal) => engine.chat(params, signal)));
connection.onRequest(TokenizeRequest, (params) => handle(null, async () => ({ tokens: await engine.tokenize(params) })));
connection.onRequest(CountTokensRequest, (params) =>
  handle(null, async () => ({ count: (await engine.tokenize(params)).length })),
);
connection.onRequest(StatusRequest, () => handle(null, () => engine.status()));
connection.onRequest(EstimateFitRequest, (params, token) => handle(token, (signal) => engine.estimateFit(params, signal)));
connection.onRequest(BenchDecodeRequest, (params) => handle(null, () => engine.benchDecode(params)));
connection.onRequest(ShutdownRequest, async () => {
  log.info("shutting down");
  await engine.shutdown();
  // Exit after the reply has been written.
  setTimeout(() => process.exit(0), 20);
});

// The host is gone (window reload, crash, kill): nothing can use our models any more.
process.on("disconnect", () => process.exit(0));
connection.onClose(() => process.exit(0));

connection.listen();
void connection.sendNotification(ReadyNotification, { pid: process.pid }).catch(() => undefined);
