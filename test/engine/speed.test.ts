/** Engine speed features: prewarm yields to user requests, warm files come back with the same state. */
import assert from "node:assert/strict";
import { readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import os from "node:os";
import { after, before, describe, it } from "node:test";
import { getLlama, type Llama, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { ensureSyntheticModel } from "../fixtures/models.ts";
import { applyThreads } from "../../src/inference/engine/threadRecheck.ts";
import { WarmFiles } from "../../src/inference/engine/warmFiles.ts";
import { codePrefix, createClient, type TestClient } from "./helpers.ts";

/** A file of ~n lines, different per `name`, so two files share nothing but the FIM marker. */
function file(name: string, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`const ${name}_${i} = compute_${name}(${i}, "${name}${i * 7}");`);
  return `${out.join("\n")}\n`;
}

describe("engine: prewarm", () => {
  let t: TestClient;
  before(async () => {
    t = await createClient();
    await t.client.loadModel({ path: await ensureSyntheticModel("tiny"), role: "completion" });
  });
  after(async () => {
    await t.client.dispose();
  });

  it("evaluates the prompt ahead, so the completion that follows evaluates only its last token", async () => {
    const params = { prefix: file("warm", 120), currentLinePrefix: "  ", suffix: "\n}\n", maxTokens: 4 };
    const warmed = await t.client.prewarm(params);
    assert.equal(warmed.completed, true);
    assert.equal(warmed.yieldedTo, null);
    assert.ok(warmed.promptTokens > 500, `prompt ${warmed.promptTokens}`);
    assert.equal(warmed.reusedTokens + warmed.evaluatedTokens, warmed.promptTokens - 1);
    const result = await t.client.complete(params);
    assert.equal(result.metrics.promptTokens, warmed.promptTokens, "prewarm builds the same prompt as complete");
    assert.equal(result.metrics.evaluatedTokens, 1, "only the last prompt token is evaluated again");
  });

  it("yields to a user completion within one batch, and what it evaluated stays", async () => {
    const prefix = file("yield", 600);
    const prewarm = t.client.prewarm({ prefix, currentLinePrefix: "", suffix: "", maxTokens: 4 });
    // The user request arrives while the prewarm is running.
    await new Promise((r) => setTimeout(r, 30));
    const user = await t.client.complete({ prefix: "function unrelated() {\n", suffix: "", maxTokens: 2 });
    const warmed = await prewarm;
    assert.equal(warmed.completed, false, `the prewarm of ${warmed.promptTokens} tokens stopped early`);
    assert.equal(warmed.yieldedTo, "completion");
    assert.ok(warmed.tokensAfterYield <= warmed.chunkTokens, `evaluated ${warmed.tokensAfterYield} tokens after the yield (chunk ${warmed.chunkTokens})`);
    assert.ok(user.metrics.generatedTokens >= 1);
  });

  it("stopped by the host, it answers how far it got, and the completion after it reuses that part", async () => {
    const params = { prefix: file("stop", 600), currentLinePrefix: "  ", suffix: "\n", maxTokens: 2 };
    const controller = new AbortController();
    const prewarm = t.client.prewarm(params, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 30));
    controller.abort();
    const stopped = await prewarm;
    assert.equal(stopped.yieldedTo, "cancelled");
    assert.equal(stopped.completed, false);
    const held = stopped.reusedTokens + stopped.evaluatedTokens;
    assert.ok(held > 0 && held < stopped.promptTokens, `held ${held} of ${stopped.promptTokens}`);
    const result = await t.client.complete(params);
    assert.ok(result.metrics.reusedTokens >= held, `the completion reused ${result.metrics.reusedTokens} of the ${held} held`);
  });

  it("yields to a chat answer", async () => {
    await t.client.loadModel({ path: await ensureSyntheticModel("tiny"), role: "chat" });
    const prewarm = t.client.prewarm({ prefix: file("chat", 600), suffix: "", maxTokens: 4 });
    await new Promise((r) => setTimeout(r, 30));
    const chat = t.client.chat({ messages: [{ role: "user", text: "hi" }], maxTokens: 2 });
    const warmed = await prewarm;
    await chat;
    assert.equal(warmed.completed, false);
    assert.equal(warmed.yieldedTo, "chat");
    assert.ok(warmed.tokensAfterYield <= warmed.chunkTokens);
  });

  it("switching A → B → A brings A's state back (reused, restored, no cold prompt)", async () => {
    const a = { prefix: file("alpha", 80) + codePrefix(), currentLinePrefix: "  return ", suffix: "\n}\n", maxTokens: 3 };
    const b = { prefix: file("beta", 80), currentLinePrefix: "  const x = ", suffix: "\n", maxTokens: 3 };
    const first = await t.client.complete(a);
    await t.client.complete(b);
    const back = await t.client.complete(a);
    assert.ok(first.metrics.evaluatedTokens > 400, `A cold: evaluated ${first.metrics.evaluatedTokens}`);
    assert.ok((back.metrics.restoredTokens ?? 0) > 400, `A again: restored ${back.metrics.restoredTokens}`);
    assert.ok(back.metrics.evaluatedTokens <= 2, `A again: evaluated ${back.metrics.evaluatedTokens}`);
    assert.equal(back.text, first.text, "greedy text from the restored state is the fresh one");
  });
});

describe("engine: speculative decoding (prompt lookup)", () => {
  it("gives the same greedy completion as plain decoding", async () => {
    const tiny = await ensureSyntheticModel("tiny");
    // Code that repeats itself, so drafts are found in the prompt.
    const params = { prefix: codePrefix() + codePrefix(), currentLinePrefix: "export function helper", suffix: "", maxTokens: 24 };
    const texts: string[] = [];
    for (const speculative of ["off", "promptLookup"] as const) {
      const { client } = await createClient();
      try {
        await client.loadModel({ path: tiny, role: "completion", speculative });
        const result = await client.complete(params);
        texts.push(result.text);
        if (speculative === "off") assert.equal(result.metrics.speculative, undefined, "no drafting report when it is off");
        else assert.equal(result.metrics.speculative?.drafting, true);
      } finally {
        await client.dispose();
      }
    }
    assert.equal(texts[1], texts[0]);
  });

  it("auto: requests alternate between drafting and not while it measures, with the same text each way", async () => {
    const tiny = await ensureSyntheticModel("tiny");
    const { client } = await createClient();
    try {
      await client.loadModel({ path: tiny, role: "completion", speculative: "auto" });
      const params = { prefix: codePrefix() + codePrefix(), currentLinePrefix: "export function helper", suffix: "", maxTokens: 16 };
      const results = [];
      // Different cursor lines, so each request generates (none is a repeat of the last prompt).
      for (let i = 0; i < 4; i++) results.push(await client.complete({ ...params, currentLinePrefix: `${params.currentLinePrefix}${i}` }));
      const ways = results.map((r) => r.metrics.speculative?.drafting);
      assert.deepEqual(ways, [true, false, true, false], "measuring: drafting, plain, drafting, plain");
      for (const r of results) {
        const drafts = r.metrics.speculative;
        assert.ok(drafts && drafts.accepted >= 0 && drafts.rejected >= 0);
        if (!drafts.drafting) assert.equal(drafts.accepted + drafts.rejected, 0, "no drafts checked while plain");
      }
      // The second prompt again, now drafting (both ways have 2 samples): the same text as when it ran plain.
      const again = await client.complete({ ...params, currentLinePrefix: `${params.currentLinePrefix}1` });
      assert.equal(again.metrics.speculative?.drafting, true);
      assert.equal(again.text, results[1].text, "the same prompt gives the same text whichever way it ran");
      // Engine Status shows what the gate measured (both ways have 2 samples of the 3 it needs).
      const speculative = (await client.status()).models[0]?.speculative;
      assert.equal(speculative?.choice, "measuring");
      assert.ok((speculative?.draftingTokensPerSecond ?? 0) > 0 && (speculative?.plainTokensPerSecond ?? 0) > 0, JSON.stringify(speculative));
    } finally {
      await client.dispose();
    }
  });
});

describe("engine: speculative decoding of edits (prompt lookup on the chat sequence)", () => {
  const greedy = { temperature: 0, seed: 1, repeatPenalty: 1 };
  const edit = (i: number) => [
    { role: "user" as const, text: `Rewrite this typescript code as instructed.\n\nInstruction: rename x${i} to y\n\nThe code:\n\`\`\`typescript\n${codePrefix()}\n\`\`\`` },
  ];

  it("an edit drafts from its code and gives the same answer as plain decoding; a chat answer never drafts", async () => {
    const tiny = await ensureSyntheticModel("tiny");
    const answers: string[] = [];
    for (const speculativeEdits of ["off", "promptLookup"] as const) {
      const { client } = await createClient();
      try {
        await client.loadModel({ path: tiny, role: "chat", speculativeEdits });
        const result = await client.chat({ messages: edit(0), sampling: greedy, maxTokens: 32, purpose: "edit" });
        answers.push(result.text);
        const facts = (await client.status()).models[0];
        if (speculativeEdits === "off") {
          assert.equal(result.metrics.speculative, undefined, "no drafting report when it is off");
          assert.equal(facts?.speculativeEdits, undefined);
        } else {
          const drafts = result.metrics.speculative;
          assert.equal(drafts?.drafting, true);
          assert.ok(drafts.accepted >= 0 && drafts.rejected >= 0);
          assert.equal(facts?.speculativeEdits?.choice, "always");
          // The same model answering a question: no drafting, no report, the switch stays for the next edit.
          const chat = await client.chat({ messages: [{ role: "user", text: "What does this do?" }], sampling: greedy, maxTokens: 16 });
          assert.equal(chat.metrics.speculative, undefined);
          assert.equal((await client.chat({ messages: edit(0), sampling: greedy, maxTokens: 32, purpose: "edit" })).text, result.text, "an edit after a chat answer: the same text");
        }
      } finally {
        await client.dispose();
      }
    }
    assert.equal(answers[1], answers[0], "drafting leaves a greedy answer unchanged");
  });

  it("auto: edits alternate between drafting and not while it measures, apart from completions' own measurement", async () => {
    const tiny = await ensureSyntheticModel("tiny");
    const { client } = await createClient();
    try {
      await client.loadModel({ path: tiny, role: "chat", speculative: "auto", speculativeEdits: "auto" });
      const ways = [];
      for (let i = 0; i < 4; i++) ways.push((await client.chat({ messages: edit(i), sampling: greedy, maxTokens: 24, purpose: "edit" })).metrics.speculative?.drafting);
      assert.deepEqual(ways, [true, false, true, false], "measuring: drafting, plain, drafting, plain");
      const facts = (await client.status()).models[0];
      assert.equal(facts?.speculativeEdits?.choice, "measuring");
      assert.ok((facts?.speculativeEdits?.draftingTokensPerSecond ?? 0) > 0 && (facts?.speculativeEdits?.plainTokensPerSecond ?? 0) > 0, JSON.stringify(facts?.speculativeEdits));
      assert.deepEqual(facts?.speculative, { choice: "measuring", draftingTokensPerSecond: null, plainTokensPerSecond: null }, "completions have measured nothing yet");
    } finally {
      await client.dispose();
    }
  });
});

describe("engine: warm files (node-llama-cpp directly)", () => {
  let llama: Llama;
  let model: LlamaModel;
  before(async () => {
    llama = await getLlama({ gpu: false, build: "never", maxThreads: Math.max(1, os.availableParallelism()) });
    model = await llama.loadModel({ modelPath: await ensureSyntheticModel("tiny") });
  });
  after(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  /** The next-token probabilities after `prompt` (greedy top 5 with their probabilities). */
  async function nextToken(sequence: LlamaContextSequence, last: Token): Promise<[Token, number][]> {
    const [out] = await sequence.controlledEvaluate([[last, { generateNext: { probabilities: true, token: true } }]]);
    const probs = out?.next?.probabilities;
    assert.ok(probs, "probabilities came back");
    return [...probs.entries()].sort((x, y) => y[1] - x[1]).slice(0, 5);
  }

  it("a context's thread count can be changed after creation (thread re-check), and it still evaluates", async () => {
    const context = await model.createContext({ contextSize: 512, sequences: 1, threads: 2 });
    try {
      assert.equal(applyThreads(context, 1), true);
      assert.equal(context.idealThreads, 1);
      const sequence = context.getSequence();
      await sequence.evaluateWithoutGeneratingNewTokens(model.tokenize("const a = 1;\n"));
      assert.equal(context.currentThreads, 1);
    } finally {
      await context.dispose();
    }
  });

  it("a restored file state gives the same next-token distribution as a fresh evaluation", async () => {
    const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
    const warm = new WarmFiles({ debug: () => undefined, warn: (m) => assert.fail(m) }, 3);
    try {
      const sequence = context.getSequence();
      const a = model.tokenize(file("alpha", 40));
      const b = model.tokenize(file("beta", 40));
      const lastA = a[a.length - 1];
      await sequence.evaluateWithoutGeneratingNewTokens(a.slice(0, -1));
      const fresh = await nextToken(sequence, lastA);

      // Switch to B: A is saved; then back to A: restored.
      assert.deepEqual(await warm.prepare(sequence, b), { restoredTokens: 0, saved: true });
      await sequence.eraseContextTokenRanges([{ start: 0, end: sequence.nextTokenIndex }]);
      await sequence.evaluateWithoutGeneratingNewTokens(b);
      const back = await warm.prepare(sequence, a);
      assert.equal(back.saved, true, "B was saved when A came back");
      assert.equal(back.restoredTokens, a.length, "A's whole state came back");
      assert.deepEqual(sequence.contextTokens.slice(0, a.length), a);
      // The state holds A plus its sampled token; evaluate A's last token again at its place, as a completion does.
      await sequence.eraseContextTokenRanges([{ start: a.length - 1, end: sequence.nextTokenIndex }]);
      const restored = await nextToken(sequence, lastA);
      assert.deepEqual(restored.map(([id]) => id), fresh.map(([id]) => id), "same top tokens");
      for (let i = 0; i < fresh.length; i++) assert.ok(Math.abs(restored[i][1] - fresh[i][1]) < 1e-5, `probability ${i}`);
    } finally {
      await warm.dispose();
      await context.dispose();
    }
  });

  it("a saved state that is gone or corrupt is not restored, and the sequence stays usable (no 'inconsistent positions')", async () => {
    const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
    const warnings: string[] = [];
    const warm = new WarmFiles({ debug: () => undefined, warn: (m) => warnings.push(m) }, 3);
    const folder = () => {
      const name = readdirSync(os.tmpdir()).find((n) => n.startsWith(`private-coder-warm-${process.pid}-`));
      assert.ok(name, "the warm folder exists");
      return path.join(os.tmpdir(), name);
    };
    try {
      const sequence = context.getSequence();
      const a = model.tokenize(file("alpha", 40));
      const b = model.tokenize(file("beta", 40));
      /** Evaluates B after A was saved, and gives the state files at that point. */
      const switchToB = async () => {
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(a);
        assert.equal((await warm.prepare(sequence, b)).saved, true);
        await sequence.clearHistory();
        await sequence.evaluateWithoutGeneratingNewTokens(b);
        return readdirSync(folder()).map((name) => path.join(folder(), name));
      };

      // Gone (a temp-folder cleaner): skipped, B's state stays.
      for (const f of await switchToB()) rmSync(f);
      assert.equal((await warm.prepare(sequence, a)).restoredTokens, 0);
      assert.equal(sequence.nextTokenIndex, b.length, "the sequence is as it was");
      await sequence.evaluateWithoutGeneratingNewTokens(a.slice(0, 8));

      // Corrupt (a cut write): the native load fails after node-llama-cpp emptied its token list.
      for (const f of await switchToB()) writeFileSync(f, "not a llama.cpp state file");
      assert.equal((await warm.prepare(sequence, a)).restoredTokens, 0);
      assert.equal(warnings.filter((w) => w.includes("could not be restored")).length, 2, warnings.join(" | "));
      // Before the fix every later decode failed with "inconsistent sequence positions".
      assert.equal(sequence.nextTokenIndex, 0, "the sequence was cleared before the load, so it agrees with the KV cache");
      await sequence.evaluateWithoutGeneratingNewTokens(a.slice(0, 16));
      assert.equal(sequence.nextTokenIndex, 16);
    } finally {
      await warm.dispose();
      await context.dispose();
    }
  });
});
