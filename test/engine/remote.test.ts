/**
 * The remote backend against a real llama-server (built from the bundled llama.cpp by scripts/llama-tools.ts) with a
 * synthetic model: streaming completion (/infill) and chat, cancellation freeing the slot, a wrong key, the server
 * killed mid-stream and back, failover between two servers, least-busy routing, time-outs. Outputs are fixed-length
 * (`ignore_eos`); the tests observe lengths, codes and the server's own slot reports, never generated text.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { remoteModelRef } from "../../src/core/backend/index.ts";
import { RemoteErrorCode } from "../../src/core/remote/index.ts";
import { RemoteBackend, type RemoteBackendOptions } from "../../src/inference/remote/remoteBackend.ts";
import { RemoteServer } from "../../src/inference/remote/server.ts";
import { LlamaServer, freePort } from "../fixtures/llamaServer.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { ensureLlamaTools } from "../../scripts/llama-tools.ts";
import path from "node:path";

let binary = "";
let model = "";
const servers: LlamaServer[] = [];
const backends: RemoteBackend[] = [];

async function startServer(parallel = 2): Promise<LlamaServer> {
  const server = new LlamaServer({ binary, model, parallel });
  servers.push(server);
  await server.start();
  return server;
}

function backendFor(urls: () => string[], key: string, options: Partial<RemoteBackendOptions> = {}): RemoteBackend {
  const backend = new RemoteBackend({ endpoints: urls, apiKey: () => Promise.resolve(key), healthIntervalMs: 0, retryBaseMs: 50, ...options });
  backend.extras = { ignoreEos: true };
  backends.push(backend);
  return backend;
}

const completion = { prefix: "function add(a, b) {\n", currentLinePrefix: "  return", suffix: "\n}\n", maxTokens: 8 };

before(async () => {
  binary = path.join(ensureLlamaTools(), "bin", "llama-server");
  model = await ensureSyntheticModel("tiny");
});

after(async () => {
  for (const backend of backends) await backend.dispose();
  for (const server of servers) await server.stop();
});

describe("remote backend against a real llama-server", () => {
  let server: LlamaServer;
  before(async () => {
    server = await startServer(2);
  });

  test("detects llama-server, lists its model, and loads it for both roles", async () => {
    const direct = new RemoteServer(server.url, { apiKey: () => Promise.resolve(server.apiKey) });
    const info = await direct.serverInfo();
    assert.equal(info.kind, "llama-server");
    assert.equal(info.slots, 2);
    const backend = backendFor(() => [server.url], server.apiKey);
    const refs = await backend.listModels();
    assert.equal(refs.length, 1);
    assert.equal(refs[0]?.source, "remote");
    const loaded = await backend.loadModel("completion", refs[0]);
    assert.equal(loaded.fimSupported, true);
    assert.equal(backend.capabilities.location, "remote");
  });

  test("completion streams through /infill with a fixed length, chat streams through /v1/chat/completions", async () => {
    const backend = backendFor(() => [server.url], server.apiKey);
    const ref = remoteModelRef(server.url, "");
    await backend.loadModel("completion", ref);
    await backend.loadModel("chat", ref);
    const pieces: string[] = [];
    const result = await backend.complete(completion, { onChunk: (p) => pieces.push(p) });
    assert.equal(result.mode, "fim");
    assert.equal(result.metrics.generatedTokens, 8);
    assert.equal(result.metrics.stopReason, "maxTokens");
    assert.equal(pieces.join(""), result.text);
    const chunks: string[] = [];
    const chat = await backend.chat({ messages: [{ role: "user", text: "hello" }], maxTokens: 12 }, { onChunk: (c) => chunks.push(c) });
    assert.equal(chat.metrics.generatedTokens, 12);
    assert.ok(chunks.length >= 2, "the answer arrived in pieces");
    assert.equal(chunks.join(""), chat.text);
  });

  test("finishWhen ends a streaming completion early: the text so far, with metrics, and the slot is freed", async () => {
    const backend = backendFor(() => [server.url], server.apiKey);
    await backend.loadModel("completion", remoteModelRef(server.url, ""));
    const pieces: string[] = [];
    let asked = 0;
    // The synthetic model's tokens print as nothing here, so the host "has what it needs" at the third streamed event.
    const result = await backend.complete({ ...completion, maxTokens: 200 }, { onChunk: (p) => pieces.push(p), finishWhen: () => ++asked >= 3 });
    assert.equal(result.metrics.stopReason, "stopString");
    assert.equal(asked, 3, "asked once per streamed event until it said yes");
    assert.equal(result.text, pieces.join(""));
    assert.ok(result.metrics.generatedTokens < 200, `generated ${result.metrics.generatedTokens}`);
    const freed = Date.now() + 5_000;
    while ((await server.busySlots()) > 0 && Date.now() < freed) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await server.busySlots(), 0);
  });

  test("aborting a chat mid-stream keeps the partial answer and frees the server's slot", async () => {
    const backend = backendFor(() => [server.url], server.apiKey);
    await backend.loadModel("chat", remoteModelRef(server.url, ""));
    const controller = new AbortController();
    let chunks = 0;
    let sawBusy = false;
    const answer = backend.chat({ messages: [{ role: "user", text: "write a lot" }], maxTokens: 100_000 }, {
      signal: controller.signal,
      onChunk: () => {
        chunks++;
      },
    });
    const deadline = Date.now() + 20_000;
    while (chunks < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    sawBusy = (await server.busySlots()) === 1;
    controller.abort();
    const result = await answer;
    assert.equal(result.metrics.stopReason, "abort");
    assert.ok(sawBusy, "the slot was busy while streaming");
    const freed = Date.now() + 5_000;
    while ((await server.busySlots()) > 0 && Date.now() < freed) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await server.busySlots(), 0, "the server freed the slot after the abort");
  });

  test("a wrong key is a 401 error with a code; the key is in no error text", async () => {
    const backend = backendFor(() => [server.url], "wrong-key-123");
    await assert.rejects(backend.loadModel("chat", remoteModelRef(server.url, "")), (error: { code?: string; message: string }) => {
      assert.equal(error.code, RemoteErrorCode.Unauthorized);
      assert.ok(!error.message.includes("wrong-key-123"));
      return true;
    });
  });

  test("a model the server does not serve is a 404-coded error", async () => {
    const backend = backendFor(() => [server.url], server.apiKey);
    await assert.rejects(backend.loadModel("chat", remoteModelRef(server.url, "no-such-model")), { code: RemoteErrorCode.ModelNotFound });
  });

  test("a prompt longer than the context is a context-too-long error", async () => {
    const backend = backendFor(() => [server.url], server.apiKey);
    await backend.loadModel("chat", remoteModelRef(server.url, ""));
    await assert.rejects(backend.chat({ messages: [{ role: "user", text: "word ".repeat(6000) }], maxTokens: 4 }), { code: RemoteErrorCode.ContextTooLong });
  });
});

describe("remote backend when servers die", () => {
  test("server killed mid-stream: a typed error; the next request works once it is back", async () => {
    const server = await startServer(1);
    const backend = backendFor(() => [server.url], server.apiKey, { breaker: { threshold: 10 } });
    await backend.loadModel("chat", remoteModelRef(server.url, ""));
    let chunks = 0;
    const answer = backend.chat({ messages: [{ role: "user", text: "go on" }], maxTokens: 100_000 }, { onChunk: () => void chunks++ });
    // Observed from the start: it rejects while the server is being killed.
    const failure = answer.then(() => undefined, (error: unknown) => error);
    const deadline = Date.now() + 20_000;
    while (chunks < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await server.stop();
    assert.equal(((await failure) as { code?: string } | undefined)?.code, RemoteErrorCode.Unreachable);
    await assert.rejects(backend.chat({ messages: [{ role: "user", text: "again" }], maxTokens: 4 }), { code: RemoteErrorCode.Unreachable });
    await server.start();
    const result = await backend.chat({ messages: [{ role: "user", text: "again" }], maxTokens: 4 });
    assert.equal(result.metrics.generatedTokens, 4);
  });

  test("two endpoints, one stopped: requests fail over to the other; the dead one is then ranked last", async () => {
    const a = await startServer(1);
    const b = await startServer(1);
    const backend = backendFor(() => [a.url, b.url], a.apiKey, { breaker: { threshold: 2, cooldownMs: 60_000 } });
    await backend.loadModel("completion", remoteModelRef(a.url, ""));
    await a.stop();
    for (let i = 0; i < 4; i++) {
      const result = await backend.complete({ ...completion, maxTokens: 3 });
      assert.equal(result.metrics.generatedTokens, 3);
    }
    // The dead one is marked unhealthy and ranked last, so later requests go straight to the live one.
    assert.equal(backend.pool.report().find((e) => e.url === a.url)?.healthy, false);
    const started = Date.now();
    await backend.complete({ ...completion, maxTokens: 3 });
    assert.ok(Date.now() - started < 2_000);
  });

  test("nothing listening: unreachable after the retries, within the connect time-out", async () => {
    const port = await freePort();
    const backend = backendFor(() => [`http://127.0.0.1:${port}`], "k", { retries: 2 });
    const started = Date.now();
    await assert.rejects(backend.loadModel("chat", remoteModelRef(`http://127.0.0.1:${port}`, "")), { code: RemoteErrorCode.Unreachable });
    assert.ok(Date.now() - started < 5_000);
  });

  test("a first-token time-out aborts a request that waits too long", async () => {
    const server = await startServer(1);
    const backend = backendFor(() => [server.url], server.apiKey, { firstTokenTimeoutMs: 300 });
    await backend.loadModel("chat", remoteModelRef(server.url, ""));
    // The one slot is taken by a long answer: the second request queues past its first-token time-out.
    const controller = new AbortController();
    const long = backend.chat({ messages: [{ role: "user", text: "long" }], maxTokens: 100_000 }, { signal: controller.signal });
    const other = backendFor(() => [server.url], server.apiKey, { firstTokenTimeoutMs: 300, retries: 0 });
    await other.loadModel("chat", remoteModelRef(server.url, ""));
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(other.chat({ messages: [{ role: "user", text: "short" }], maxTokens: 4 }), { code: RemoteErrorCode.Timeout });
    controller.abort();
    await long;
  });
});
