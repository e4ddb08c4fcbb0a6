import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildFimPrompt, FIM_FAMILIES, fimFamilyOf } from "../../src/core/remote/index.ts";
import { chatRequestBody, completionRequest } from "../../src/inference/remote/requests.ts";

const parts = { prefix: "def add(a, b):\n    return ", suffix: "\n\nprint(add(1, 2))\n" };

describe("FIM templates per family", () => {
  test("each family's exact prompt", () => {
    const p = parts.prefix;
    const s = parts.suffix;
    assert.equal(buildFimPrompt("qwen", parts).prompt, `<|fim_prefix|>${p}<|fim_suffix|>${s}<|fim_middle|>`);
    assert.equal(buildFimPrompt("starcoder", parts).prompt, `<fim_prefix>${p}<fim_suffix>${s}<fim_middle>`);
    assert.equal(buildFimPrompt("codellama", parts).prompt, `<PRE> ${p} <SUF>${s} <MID>`);
    assert.equal(buildFimPrompt("deepseek", parts).prompt, `<｜fim▁begin｜>${p}<｜fim▁hole｜>${s}<｜fim▁end｜>`);
    assert.equal(buildFimPrompt("codestral", parts).prompt, `[SUFFIX]${s}[PREFIX]${p}`);
  });

  test("every family has stop strings, its end-of-text among them", () => {
    for (const family of FIM_FAMILIES) assert.ok(buildFimPrompt(family, parts).stop.length > 0, family);
    assert.ok(buildFimPrompt("qwen", parts).stop.includes("<|endoftext|>"));
    assert.ok(buildFimPrompt("codellama", parts).stop.includes("<EOT>"));
  });

  test("extra context: Qwen and StarCoder use their repository format, the others path comments before the prefix", () => {
    const extraContext = [{ path: "lib/math.py", text: "PI = 3.14" }];
    assert.ok(buildFimPrompt("qwen", { ...parts, extraContext }).prompt.startsWith("<|file_sep|>lib/math.py\nPI = 3.14\n<|fim_prefix|>"));
    assert.ok(buildFimPrompt("starcoder", { ...parts, extraContext }).prompt.startsWith("<file_sep>lib/math.py\nPI = 3.14\n<fim_prefix>"));
    assert.ok(buildFimPrompt("codellama", { ...parts, extraContext }).prompt.startsWith("<PRE> // lib/math.py\nPI = 3.14\ndef add"));
  });

  test("the family from the server's model name", () => {
    assert.equal(fimFamilyOf("Qwen2.5-Coder-1.5B-Instruct-Q8_0.gguf"), "qwen");
    assert.equal(fimFamilyOf("qwen2.5-coder:7b"), "qwen");
    assert.equal(fimFamilyOf("bigcode/starcoder2-3b"), "starcoder");
    assert.equal(fimFamilyOf("codellama:7b-code"), "codellama");
    assert.equal(fimFamilyOf("deepseek-coder-6.7b-base"), "deepseek");
    assert.equal(fimFamilyOf("codestral-22b"), "codestral");
    assert.equal(fimFamilyOf("gpt-4o-mini"), undefined);
  });
});

describe("request bodies per server kind", () => {
  const request = { ...parts, currentLinePrefix: "    x = ", extraContext: [{ path: "a.py", text: "A = 1" }], maxTokens: 16, stopAtLineEnd: true, timeBudgetMs: 800 };

  test("llama-server: /infill with input_extra, the cursor line as prompt, cache_prompt and a prompt-time budget", () => {
    const r = completionRequest("llama-server", "m", request, "auto");
    assert.equal(r.path, "/infill");
    assert.equal(r.body.prompt, "    x = ");
    assert.deepEqual(r.body.input_extra, [{ filename: "a.py", text: "A = 1" }]);
    assert.equal(r.body.cache_prompt, true);
    assert.equal(r.body.t_max_prompt_ms, 800);
    assert.deepEqual(r.body.stop, ["\n"]);
    assert.equal(r.endsWithoutDone, true);
  });

  test("Ollama: /v1/completions with suffix", () => {
    const r = completionRequest("ollama", "qwen2.5-coder:1.5b", request, "auto");
    assert.equal(r.path, "/v1/completions");
    assert.equal(r.body.suffix, parts.suffix);
    assert.equal(r.body.prompt, `${parts.prefix}    x = `);
  });

  test("other servers: the family template; an unknown family is prefix-only; the setting overrides", () => {
    const qwen = completionRequest("openai", "Qwen2.5-Coder-7B", request, "auto");
    assert.equal(qwen.mode, "fim");
    assert.ok(String(qwen.body.prompt).includes("<|fim_middle|>"));
    assert.ok((qwen.body.stop as string[]).length <= 4);
    assert.equal(completionRequest("openai", "gpt-x", request, "auto").mode, "prefixOnly");
    assert.ok(String(completionRequest("openai", "gpt-x", request, "starcoder").body.prompt).includes("<fim_middle>"));
    assert.equal(completionRequest("openai", "Qwen2.5-Coder-7B", request, "none").mode, "prefixOnly");
  });

  test("chat: system prompt first; llama.cpp samplers only for servers that take them", () => {
    const chat = { systemPrompt: "sys", messages: [{ role: "user" as const, text: "hi" }], sampling: { topK: 20 } };
    const llama = chatRequestBody("llama-server", "m", chat);
    assert.deepEqual(llama.messages, [{ role: "system", content: "sys" }, { role: "user", content: "hi" }]);
    assert.equal(llama.top_k, 20);
    const openai = chatRequestBody("openai", "m", chat);
    assert.equal(openai.top_k, undefined);
    assert.deepEqual(openai.stream_options, { include_usage: true });
  });
});
