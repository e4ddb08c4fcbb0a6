import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CircuitBreaker,
  httpError,
  isLoopbackUrl,
  loadFromMetrics,
  loadFromSlots,
  normaliseEndpoint,
  rankEndpoints,
  RemoteErrorCode,
  type EndpointView,
} from "../../src/core/remote/index.ts";

const view = (url: string, more: Partial<EndpointView> = {}): EndpointView => ({ url, healthy: true, available: true, inFlight: 0, ...more });

describe("endpoint selection", () => {
  test("without load figures: round-robin over healthy endpoints", () => {
    const endpoints = [view("a"), view("b"), view("c")];
    assert.deepEqual([0, 1, 2, 3].map((turn) => rankEndpoints(endpoints, turn)[0]), ["a", "b", "c", "a"]);
  });

  test("with load figures: the least busy relative to its slots first", () => {
    const endpoints = [view("a", { load: 2, slots: 2 }), view("b", { load: 1, slots: 4 }), view("c", { load: 1, slots: 2 })];
    assert.deepEqual(rankEndpoints(endpoints, 0), ["b", "c", "a"]);
  });

  test("this client's own in-flight requests count between load polls", () => {
    const endpoints = [view("a", { load: 0, slots: 1, inFlight: 1 }), view("b", { load: 0, slots: 1 })];
    assert.equal(rankEndpoints(endpoints, 0)[0], "b");
  });

  test("unhealthy or breaker-open endpoints go last, still listed for a last try", () => {
    const endpoints = [view("a", { healthy: false }), view("b", { available: false }), view("c")];
    assert.deepEqual(rankEndpoints(endpoints, 0), ["c", "a", "b"]);
  });

  test("when one endpoint lacks load figures, round-robin", () => {
    const endpoints = [view("a", { load: 5, slots: 1 }), view("b")];
    assert.deepEqual(rankEndpoints(endpoints, 0), ["a", "b"]);
    assert.deepEqual(rankEndpoints([], 3), []);
  });

  test("load from /slots and from /metrics", () => {
    assert.deepEqual(loadFromSlots([{ id: 0, is_processing: true }, { id: 1, is_processing: false }]), { load: 1, slots: 2 });
    assert.equal(loadFromSlots({ error: "x" }), undefined);
    const metrics = "# HELP llamacpp:requests_processing x\nllamacpp:requests_processing 2\nllamacpp:requests_deferred 3\n";
    assert.equal(loadFromMetrics(metrics), 5);
    assert.equal(loadFromMetrics("vllm:num_requests_running 1"), undefined);
  });
});

describe("circuit breaker", () => {
  test("opens after the threshold, half-opens after the cool-down for one trial, closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 2, cooldownMs: 1000, now: () => now });
    assert.equal(breaker.tryAcquire(), true);
    breaker.failure();
    assert.equal(breaker.state, "closed");
    breaker.failure();
    assert.equal(breaker.state, "open");
    assert.equal(breaker.tryAcquire(), false);
    now = 1000;
    assert.equal(breaker.state, "halfOpen");
    assert.equal(breaker.tryAcquire(), true);
    assert.equal(breaker.tryAcquire(), false, "one trial at a time");
    breaker.success();
    assert.equal(breaker.state, "closed");
  });

  test("a failed trial opens it again for twice as long, up to the maximum", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 1000, maxCooldownMs: 3000, now: () => now });
    breaker.failure();
    now = 1000;
    assert.ok(breaker.tryAcquire());
    breaker.failure();
    now = 2500;
    assert.equal(breaker.state, "open");
    now = 3000;
    assert.equal(breaker.state, "halfOpen");
    assert.ok(breaker.tryAcquire());
    breaker.failure();
    now = 5999;
    assert.equal(breaker.state, "open");
    now = 6000;
    assert.equal(breaker.state, "halfOpen");
  });

  test("a cancelled trial frees the half-open slot without counting", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 10, now: () => now });
    breaker.failure();
    now = 10;
    assert.ok(breaker.tryAcquire());
    breaker.release();
    assert.ok(breaker.tryAcquire());
  });
});

describe("HTTP errors and endpoints", () => {
  test("status codes become the user's error kinds", () => {
    assert.equal(httpError(401, "", "http://h").code, RemoteErrorCode.Unauthorized);
    assert.equal(httpError(403, "", "http://h").code, RemoteErrorCode.Unauthorized);
    assert.equal(httpError(404, '{"error":{"message":"model not found"}}', "http://h").code, RemoteErrorCode.ModelNotFound);
    assert.equal(httpError(400, '{"error":{"message":"This model\'s maximum context length is 4096 tokens"}}', "http://h").code, RemoteErrorCode.ContextTooLong);
    assert.equal(httpError(400, '{"error":{"message":"bad temperature"}}', "http://h").code, RemoteErrorCode.BadRequest);
    const busy = httpError(429, "", "http://h", undefined, "7");
    assert.equal(busy.code, RemoteErrorCode.Busy);
    assert.equal(busy.details.retryAfterMs, 7000);
    assert.equal(httpError(503, "Loading model", "http://h").code, RemoteErrorCode.Busy);
    assert.equal(httpError(500, "", "http://h").code, RemoteErrorCode.ServerError);
  });

  test("loopback hosts need no consent; others do", () => {
    for (const url of ["http://localhost:8080", "http://127.0.0.1:1", "http://[::1]:8080", "https://127.3.4.5"]) assert.ok(isLoopbackUrl(url), url);
    for (const url of ["http://10.0.0.2:8080", "https://gpu.example.com", "http://localhost.evil.com", "not a url"]) assert.ok(!isLoopbackUrl(url), url);
  });

  test("endpoint URLs are normalised; credentials in the URL are refused", () => {
    assert.deepEqual(normaliseEndpoint("gpu-box:8080"), { url: "http://gpu-box:8080" });
    assert.deepEqual(normaliseEndpoint("https://gpu.example.com/v1/"), { url: "https://gpu.example.com" });
    assert.deepEqual(normaliseEndpoint("https://gpu.example.com/llm/v1"), { url: "https://gpu.example.com/llm" });
    assert.ok("error" in normaliseEndpoint("ftp://x"));
    assert.ok("error" in normaliseEndpoint("http://u:p@x"));
  });
});
