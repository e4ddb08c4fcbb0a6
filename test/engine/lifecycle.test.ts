import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { EngineCrashedError, EngineError } from "../../src/inference/errors.ts";
import type { BreakerTrippedEvent, CrashEvent } from "../../src/inference/client.ts";
import { createClient, processExists, waitFor } from "./helpers.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

describe("engine: crash isolation, restart, breaker, shutdown", () => {
  it("SIGKILL mid-stream rejects with EngineCrashedError; the next request succeeds after the restart", async () => {
    const { client } = await createClient({ restartBackoff: { initialMs: 50 } });
    try {
      const tiny = await ensureSyntheticModel("tiny");
      await client.loadModel({ path: tiny, role: "chat" });
      const crashes: CrashEvent[] = [];
      client.onCrash((e) => crashes.push(e));
      const firstPid = client.pid!;
      let killed = false;
      const pending = client.chat(
        { messages: [{ role: "user", text: "write a long story" }], maxTokens: 100_000 },
        {
          onChunk: () => {
            if (!killed) {
              killed = true;
              process.kill(firstPid, "SIGKILL");
            }
          },
        },
      );
      await assert.rejects(pending, (e: unknown) => e instanceof EngineCrashedError && e.code === "crashed" && e.signal === "SIGKILL");
      assert.equal(crashes.length, 1);
      assert.ok(crashes[0].restartInMs != null);

      // The model that was loaded comes back with the new child.
      const answer = await client.chat({ messages: [{ role: "user", text: "hi" }], maxTokens: 4 });
      assert.ok(answer.metrics.generatedTokens > 0);
      assert.notEqual(client.pid, firstPid);
      assert.equal(processExists(firstPid), false);
      assert.equal(client.state, "ready");
    } finally {
      await client.dispose();
    }
  });

  it("the crash breaker trips after 5 crashes and restart() resets it", async () => {
    const { client } = await createClient({ restartBackoff: { initialMs: 10, maxMs: 50 } });
    try {
      const tripped: BreakerTrippedEvent[] = [];
      client.onBreakerTripped((e) => tripped.push(e));
      await client.start();
      for (let i = 0; i < 5; i++) {
        await waitFor(() => client.state === "ready" && client.pid != null, 30_000, `restart ${i}`);
        process.kill(client.pid!, "SIGKILL");
        await waitFor(() => client.state !== "ready", 10_000, `crash ${i} noticed`);
      }
      assert.equal(client.state, "failed");
      assert.equal(tripped.length, 1);
      assert.equal(tripped[0].crashes, 5);
      // Stopped for good: no restart, requests fail fast with a typed error.
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(client.pid, undefined);
      await assert.rejects(client.countTokens("x"), (e: unknown) => e instanceof EngineError && e.code === "breakerOpen");
      assert.equal((await client.status()).running, false, "status does not restart a tripped engine");
      assert.equal(client.pid, undefined);

      await client.restart();
      assert.equal(client.state, "ready");
      const status = await client.status();
      assert.ok(status.running && status.pid > 0);
    } finally {
      await client.dispose();
    }
  });

  it('gpu "auto" starts and reports the device it uses (CPU fallback reported when no GPU works)', async () => {
    const { client } = await createClient({ gpu: "auto" });
    try {
      assert.equal((await client.status()).running, false, "status() alone does not start the engine");
      assert.equal(client.pid, undefined);
      await client.start();
      const info = client.engineInfo;
      assert.ok(info != null);
      assert.ok(["cpu", "cuda", "vulkan", "metal"].includes(info.device));
      if (info.device === "cpu") assert.ok(info.gpuFallbackReason, "CPU under gpu=auto says why");
      else assert.equal(info.gpuFallbackReason, null);
      assert.equal((await client.status()).device, info.device);
    } finally {
      await client.dispose();
    }
  });

  it("after dispose() no child process remains", async () => {
    const { client } = await createClient();
    await client.loadModel({ path: await ensureSyntheticModel("tiny"), role: "completion" });
    const pid = client.pid!;
    assert.equal(processExists(pid), true);
    await client.dispose();
    assert.equal(processExists(pid), false);
    assert.equal(client.state, "disposed");
    await assert.rejects(client.status(), (e: unknown) => e instanceof EngineError && e.code === "disposed");
  });

  it("the child exits by itself when its host dies (window reload): no orphan", async () => {
    // A host process that starts the engine, prints the child's pid, and is then SIGKILLed (no dispose()).
    const host = spawn(process.execPath, ["--import", "tsx", path.join(here, "fixtures/orphanHost.ts")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const childPid = await new Promise<number>((resolve, reject) => {
      let out = "";
      host.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        const match = /CHILD_PID=(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      host.once("exit", () => reject(new Error(`host exited early: ${out}`)));
    });
    assert.equal(processExists(childPid), true);
    host.kill("SIGKILL");
    await waitFor(() => !processExists(childPid), 10_000, "the orphaned child to exit");
  });

  it("idle unload frees the model and the next request reloads it", async () => {
    const { client } = await createClient({ idleUnloadMs: 300 });
    try {
      const states: string[] = [];
      client.onModelState((e) => states.push(e.state));
      await client.loadModel({ path: await ensureSyntheticModel("tiny"), role: "completion" });
      await waitFor(() => states.includes("idleUnloaded"), 10_000, "idle unload");
      assert.equal((await client.status()).models[0]?.state, "idleUnloaded");
      const result = await client.complete({ prefix: "let a = ", suffix: "", maxTokens: 2 });
      assert.ok(result.metrics.generatedTokens > 0);
      assert.deepEqual(states, ["idleUnloaded", "reloaded"]);
    } finally {
      await client.dispose();
    }
  });
});
