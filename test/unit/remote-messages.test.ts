// The remote backend's typed errors reach the user as sentences that name the server (its origin only) and say what
// to do, in English and Simplified Chinese; every sentence is a key of the l10n bundles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatString } from "../../src/core/webviewStrings.ts";
import { httpError, RemoteError, RemoteErrorCode } from "../../src/core/remote/index.ts";
import { describeError, type L10n } from "../../src/extension/userMessages.ts";

const root = path.resolve(import.meta.dirname, "../..");
const bundle = (name: string) => JSON.parse(readFileSync(path.join(root, "l10n", name), "utf8")) as Record<string, string>;

function l10nWith(messages: Record<string, string>): L10n {
  const t = (message: string, ...args: (string | number | boolean)[]): string => {
    assert.ok(message in messages, `not in the bundle: ${JSON.stringify(message)}`);
    return formatString(messages[message] ?? "", ...args.map(String));
  };
  return { t: t as L10n["t"] };
}

const endpoint = "https://gpu.example.com:8443";
const cases: [string, RemoteError, RegExp][] = [
  ["unreachable", new RemoteError(RemoteErrorCode.Unreachable, "x", { endpoint, reason: "refused" }), /cannot be reached/],
  ["tls", new RemoteError(RemoteErrorCode.Unreachable, "x", { endpoint, reason: "tls" }), /caFile/],
  ["dns", new RemoteError(RemoteErrorCode.Unreachable, "x", { endpoint, reason: "dns" }), /not found/],
  ["lost", new RemoteError(RemoteErrorCode.Unreachable, "x", { endpoint, reason: "reset" }), /connection .* was lost/],
  ["401", httpError(401, "", endpoint), /refused the API key \(HTTP 401\)/],
  ["404 model", httpError(404, "", endpoint, "qwen-coder"), /does not serve the model "qwen-coder"/],
  ["context", httpError(400, '{"error":{"message":"exceeds the available context size"}}', endpoint), /context window/],
  ["429", httpError(429, "", endpoint, undefined, "3"), /busy \(HTTP 429\)\. Try again in 3 s/],
  ["503", httpError(503, "", endpoint), /still loading/],
  ["malformed", new RemoteError(RemoteErrorCode.MalformedStream, "x", { endpoint }), /OpenAI-compatible/],
  ["first token", new RemoteError(RemoteErrorCode.Timeout, "x", { endpoint, phase: "firstToken", timeoutMs: 30_000 }), /within 30 s/],
  ["connect", new RemoteError(RemoteErrorCode.Timeout, "x", { endpoint, phase: "connect", timeoutMs: 5_000 }), /connection within 5 s/],
  ["breaker", new RemoteError(RemoteErrorCode.CircuitOpen, "x", { endpoint }), /several times/],
  ["no endpoint", new RemoteError(RemoteErrorCode.NoEndpoint, "x"), /Add Remote Endpoint/],
  ["consent", new RemoteError(RemoteErrorCode.ConsentRefused, "x", { endpoint }), /did not agree/],
];

test("each remote error is worded for the user, naming the server", () => {
  const english = l10nWith(bundle("bundle.l10n.json"));
  for (const [name, error, pattern] of cases) {
    const text = describeError(error, english);
    assert.match(text, pattern, name);
    if ((error.details).endpoint) assert.ok(text.includes(endpoint), `${name}: names the server`);
  }
});

test("every remote error has its Simplified Chinese text", () => {
  const chinese = l10nWith({ ...bundle("bundle.l10n.json"), ...bundle("bundle.l10n.zh-cn.json") });
  const zh = bundle("bundle.l10n.zh-cn.json");
  for (const [name, error] of cases) {
    const text = describeError(error, chinese);
    assert.ok(/[\u4e00-\u9fff]/.test(text), `${name}: ${text}`);
  }
  assert.ok(Object.keys(zh).length > 0);
});
