/**
 * "Optimize the engine for this CPU" (src/inference/tools/engineBuild.ts, engine/localBinary.ts, tools/engineVerify.ts)
 * with the real child and real node-llama-cpp on the tiny synthetic model:
 * - a build that fails (missing tools, a compile error) leaves no build, and an engine asked for it runs the prebuilt;
 * - a local build that throws on load (a corrupt file) or kills the process on load (a shared object whose
 *   constructor segfaults) falls back to the prebuilt, and the verification benchmark reports it as a failure;
 * - the real build for this CPU (cached by `npm run engine-build`, which `npm run test:engine` runs first) loads,
 *   serves a completion, and is measured against the prebuilt; it decodes a Q8_0 model (no AMX kernels); an illegal
 *   instruction while it runs brings the engine back on the prebuilt.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { getModuleVersion } from "node-llama-cpp";
import { buildEngine, cachedEngineBuild, cpuIdentity, ENGINE_ADDON_FILE, ENGINE_BUILD_INFO_FILE, EngineBuildError, engineBuildDir } from "../../src/inference/tools/engineBuild.ts";
import { machineBootId, measureEngine, needsReverify, reverifyBuild } from "../../src/inference/tools/engineVerify.ts";
import { nodeLlamaCppDir } from "../../src/inference/tools/nodeLlamaCppDir.ts";
import { llamaToolsCacheRoot } from "../../src/inference/tools/quantize.ts";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { ensureChildBuilt } from "./childBuild.ts";
import { createClient, tempDir, waitFor } from "./helpers.ts";

const nlc = nodeLlamaCppDir();

/** A build folder as engineBuild.ts leaves it (BUILD_INFO.json for this node-llama-cpp and CPU) around `addon` bytes. */
async function fakeBuild(dir: string, addon: Buffer): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const cpu = cpuIdentity();
  const info = { nodeLlamaCpp: await getModuleVersion(), llamaCppCommit: "0".repeat(40), arch: process.arch, cpu: cpu.description, cpuKey: cpu.key, cmakeOptions: {}, builtAt: new Date().toISOString(), buildMs: 0 };
  writeFileSync(path.join(dir, ENGINE_BUILD_INFO_FILE), JSON.stringify(info));
  writeFileSync(path.join(dir, ENGINE_ADDON_FILE), addon);
  return path.join(dir, ENGINE_ADDON_FILE);
}

/** A real shared object whose load kills the process (SIGSEGV in a constructor): what a bad native build does. */
function crashingAddon(dir: string): Buffer | undefined {
  const source = path.join(dir, "crash.c");
  writeFileSync(source, "#include <signal.h>\n__attribute__((constructor)) static void crash(void) { raise(SIGSEGV); }\n");
  const out = path.join(dir, "crash.so");
  const cc = spawnSync("cc", ["-shared", "-fPIC", "-o", out, source]);
  return cc.status === 0 ? readFileSync(out) : undefined;
}

describe("optimize the engine for this CPU: failures leave the prebuilt in use", () => {
  let dir: { dir: string; dispose: () => void };
  let modelPath: string;
  before(async () => {
    dir = tempDir();
    modelPath = await ensureSyntheticModel("tiny");
  });
  after(() => dir.dispose());

  it("without cmake on PATH the build refuses with code `tools` and leaves nothing", async () => {
    const cacheRoot = path.join(dir.dir, "no-tools");
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir.dir, "empty-bin");
    try {
      await assert.rejects(buildEngine({ cacheRoot, nodeLlamaCppDir: nlc }), (e: unknown) => e instanceof EngineBuildError && e.code === "tools" && /cmake/.test(e.message));
    } finally {
      process.env.PATH = saved;
    }
    assert.equal(existsSync(cacheRoot), false);
  });

  it("a build that fails to compile leaves no build and no work folder; an engine pointed at it runs the prebuilt", async () => {
    const cacheRoot = path.join(dir.dir, "failing");
    // A compiler that does not exist: cmake's configure step fails, after the clone, like a broken toolchain would.
    await assert.rejects(
      buildEngine({ cacheRoot, nodeLlamaCppDir: nlc, extraCmakeOptions: { CMAKE_CXX_COMPILER: path.join(dir.dir, "no-such-c++") } }),
      (e: unknown) => e instanceof EngineBuildError && e.code === "failed",
    );
    const buildDir = engineBuildDir(cacheRoot, nlc);
    assert.equal(cachedEngineBuild(buildDir), undefined);
    assert.deepEqual(readdirSync(buildDir), [], "no work folder, lock or partial addon is left");

    const t = await createClient({ engineBinary: path.join(buildDir, ENGINE_ADDON_FILE) });
    try {
      await t.client.loadModel({ path: modelPath, role: "completion" });
      const info = t.client.engineInfo!.binary;
      assert.equal(info.source, "bundled");
      assert.match(info.localBuildFallbackReason ?? "", /does not exist/);
      const result = await t.client.complete({ prefix: "function add(a, b) {\n", suffix: "}\n", maxTokens: 4 });
      assert.ok(result.metrics.generatedTokens > 0);
    } finally {
      await t.client.dispose();
    }
  });

  it("a corrupt addon (throws on load) falls back to the prebuilt with the reason; the verification reports it as a failure", async () => {
    const addon = await fakeBuild(path.join(dir.dir, "corrupt"), Buffer.from("this is not a shared object\n".repeat(100)));
    const t = await createClient({ engineBinary: addon });
    try {
      await t.client.loadModel({ path: modelPath, role: "completion" });
      const info = t.client.engineInfo!.binary;
      assert.equal(info.source, "bundled");
      assert.ok(info.localBuildFallbackReason && info.localBuildFallbackReason.length > 0);
      assert.ok(t.logs.some((e) => e.level === "warn" && e.message.includes("local engine build was not used")));
    } finally {
      await t.client.dispose();
    }
    await assert.rejects(measureEngine({ client: { childPath: await ensureChildBuilt() }, modelPath, engineBinary: addon }), /local engine build did not load/);
    // Remembered from an earlier boot, then measured again after a restart: dropped, with the reason.
    const saved = { addon, prefillRatio: 1.2, decodeRatio: 1.2, verifiedAt: "2026-01-01T00:00:00.000Z", bootId: "an earlier boot" };
    const bootId = machineBootId();
    assert.equal(needsReverify(saved, bootId), true);
    const again = await reverifyBuild(saved, { client: { childPath: await ensureChildBuilt() }, modelPath, bootId });
    assert.equal(again.keep, false);
    if (!again.keep) {
      assert.equal(again.verdict, null, "nothing to compare: the build did not load");
      assert.match(again.reason, /local engine build did not load/);
    }
  });

  it("a build for another CPU or node-llama-cpp version is not loaded (an illegal instruction cannot be caught)", async () => {
    const addon = await fakeBuild(path.join(dir.dir, "other-cpu"), Buffer.from("x"));
    const infoFile = path.join(path.dirname(addon), ENGINE_BUILD_INFO_FILE);
    writeFileSync(infoFile, JSON.stringify({ nodeLlamaCpp: await getModuleVersion(), cpuKey: "00000000", cmakeOptions: {} }));
    const t = await createClient({ engineBinary: addon });
    try {
      await t.client.start();
      assert.match(t.client.engineInfo!.binary.localBuildFallbackReason ?? "", /another CPU/);
    } finally {
      await t.client.dispose();
    }
  });

  it("an addon that kills the process while loading: the engine restarts on the prebuilt", async (context) => {
    const bytes = crashingAddon(dir.dir);
    if (!bytes) return context.skip("no C compiler (cc) to make the crashing shared object");
    const addon = await fakeBuild(path.join(dir.dir, "crashing"), bytes);
    const t = await createClient({ engineBinary: addon, restartBackoff: { initialMs: 50 } });
    try {
      await assert.rejects(t.client.start(), /failed to start/);
      await waitFor(() => t.client.state === "ready", 60_000, "the restart on the prebuilt");
      assert.equal(t.client.engineInfo!.binary.source, "bundled");
      assert.match(t.client.engineInfo!.binary.localBuildFallbackReason ?? "", /stopped while loading the build for this CPU/);
      assert.ok(t.logs.some((e) => e.message.includes("died while loading the local build")));
      await t.client.loadModel({ path: modelPath, role: "completion" });
      assert.ok((await t.client.complete({ prefix: "let x = ", suffix: "", maxTokens: 2 })).metrics.promptTokens > 0);
    } finally {
      await t.client.dispose();
    }
    await assert.rejects(measureEngine({ client: { childPath: await ensureChildBuilt() }, modelPath, engineBinary: addon }));
  });
});

const realBuild = cachedEngineBuild(engineBuildDir(llamaToolsCacheRoot(), nlc));

describe("optimize the engine for this CPU: the real build", { skip: realBuild ? false : "no engine build for this CPU in the cache (npm run engine-build)" }, () => {
  it("loads in the child as the local binary, serves a completion, and is measured against the prebuilt", async () => {
    const modelPath = await ensureSyntheticModel("tiny");
    const t = await createClient({ engineBinary: realBuild!.addon });
    try {
      await t.client.loadModel({ path: modelPath, role: "completion" });
      assert.deepEqual(t.client.engineInfo!.binary, { source: "localBuild", package: null, location: realBuild!.addon, localBuildFallbackReason: null });
      const result = await t.client.complete({ prefix: "function add(a, b) {\n", suffix: "}\n", maxTokens: 8, temperature: 0 });
      assert.ok(result.metrics.generatedTokens > 0 && result.metrics.promptTokens > 5);
    } finally {
      await t.client.dispose();
    }
    const client = { childPath: await ensureChildBuilt() };
    const prebuilt = await measureEngine({ client, modelPath, engineBinary: null });
    const local = await measureEngine({ client, modelPath, engineBinary: realBuild!.addon, threads: prebuilt.threads });
    assert.equal(prebuilt.binary, "prebuilt");
    assert.equal(local.binary, "local");
    assert.equal(local.threads, prebuilt.threads);
    for (const speed of [prebuilt, local]) assert.ok(speed.prefillTokensPerSecond > 0 && speed.decodeTokensPerSecond > 0);
  });

  it("measured again after a restart: kept with this boot and new ratios only while faster, else dropped as slower", async () => {
    const modelPath = await ensureSyntheticModel("tiny");
    const bootId = machineBootId();
    const saved = { addon: realBuild!.addon, prefillRatio: 1.5, decodeRatio: 1.5, verifiedAt: "2026-01-01T00:00:00.000Z" };
    assert.equal(needsReverify(saved, bootId), true, "a verdict that does not say its boot is measured again");
    const again = await reverifyBuild(saved, { client: { childPath: await ensureChildBuilt() }, modelPath, bootId });
    if (again.keep) {
      assert.ok(again.verdict.useLocal && again.verdict.workloadRatio >= 1.03, JSON.stringify(again.verdict));
      assert.equal(again.saved.bootId, bootId);
      assert.equal(again.saved.addon, realBuild!.addon);
      assert.equal(again.saved.decodeRatio, again.verdict.decodeRatio);
      assert.equal(needsReverify(again.saved, bootId), false, "not again in the same boot");
    } else {
      // Which binary is faster depends on the machine (on a Xeon VM here the prebuilt was); the verdict says so.
      assert.ok(again.verdict && !again.verdict.useLocal && again.verdict.workloadRatio > 0, JSON.stringify(again));
      assert.equal(again.reason, "slower than the prebuilt");
    }
  });

  it("an illegal instruction while it runs (SIGILL): the engine restarts on the prebuilt and says why", async () => {
    const modelPath = await ensureSyntheticModel("tiny");
    const t = await createClient({ engineBinary: realBuild!.addon, restartBackoff: { initialMs: 10, maxMs: 50 } });
    try {
      await t.client.loadModel({ path: modelPath, role: "completion" });
      assert.equal(t.client.engineInfo!.binary.source, "localBuild");
      const firstPid = t.client.pid!;
      // What the CPU does to a process that runs an instruction the machine does not enable (AMX tiles in a VM).
      process.kill(firstPid, "SIGILL");
      await waitFor(() => t.client.state === "ready" && t.client.pid != null && t.client.pid !== firstPid, 60_000, "the restart");
      assert.equal(t.client.engineInfo!.binary.source, "bundled");
      assert.match(t.client.engineInfo!.binary.localBuildFallbackReason ?? "", /illegal instruction \(SIGILL\)/);
      const result = await t.client.complete({ prefix: "function add(a, b) {\n", suffix: "}\n", maxTokens: 4, temperature: 0 });
      assert.ok(result.metrics.promptTokens > 0, "the model came back on the prebuilt binary");
    } finally {
      await t.client.dispose();
    }
  });

  it("has no AMX kernels: a Q8_0 model decodes in Node's process (AMX tiles died with SIGILL there)", async () => {
    const modelPath = await ensureSyntheticModel("qwen05b", { quantization: "Q8_0" });
    assert.equal(realBuild!.info.cmakeOptions.CMAKE_CXX_FLAGS?.includes("-U__AMX_INT8__") ?? process.platform === "win32", true);
    const t = await createClient({ engineBinary: realBuild!.addon, requireEngineBinary: true });
    try {
      await t.client.loadModel({ path: modelPath, role: "completion" });
      const result = await t.client.complete({ prefix: "function add(a, b) {\n", suffix: "}\n", maxTokens: 4, temperature: 0 });
      assert.ok(result.metrics.generatedTokens > 0);
      assert.equal(t.client.engineInfo!.binary.source, "localBuild");
    } finally {
      await t.client.dispose();
    }
  });
});
