import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { createSseJsonDecoder, type RemoteError, RemoteErrorCode } from "../../src/core/remote/index.ts";

const endpoint = "http://user:secret@server:8080";

function decodeAll(chunks: readonly (string | Uint8Array)[], allowEndWithoutDone = false): unknown[] {
  const events: unknown[] = [];
  const decoder = createSseJsonDecoder((e) => events.push(e), { endpoint, allowEndWithoutDone });
  for (const chunk of chunks) decoder.feed(chunk);
  decoder.end();
  return events;
}

const stream = 'data: {"choices":[{"delta":{"content":"héllo 世界"}}]}\n\n: keep-alive comment\n\ndata: {"choices":[{"delta":{"content":"!"}}]}\r\n\r\ndata: [DONE]\n\n';

describe("SSE decoding", () => {
  test("whole stream: every JSON event in order, comments ignored", () => {
    assert.deepEqual(decodeAll([stream]), [{ choices: [{ delta: { content: "héllo 世界" } }] }, { choices: [{ delta: { content: "!" } }] }]);
  });

  test("any split of the bytes, mid-line and mid-UTF-8 character, gives the same events", () => {
    const bytes = new TextEncoder().encode(stream);
    const expected = decodeAll([stream]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const chunks = points.slice(1).map((end, i) => bytes.slice(points[i], end));
        assert.deepEqual(decodeAll(chunks), expected);
      }),
    );
  });

  test("one byte at a time", () => {
    const bytes = new TextEncoder().encode(stream);
    assert.equal(decodeAll([...bytes].map((b) => new Uint8Array([b]))).length, 2);
  });

  test("a data payload that is not JSON is a malformed stream, with the origin but not the credentials", () => {
    assert.throws(
      () => decodeAll(['data: {"ok":1}\n\n', "data: <html>oops\n\n"]),
      (error: RemoteError) => error.code === RemoteErrorCode.MalformedStream && error.message.includes("http://server:8080") && !error.message.includes("secret"),
    );
  });

  test("garbage lines that are not SSE fields are ignored; a stream without [DONE] is malformed", () => {
    assert.throws(() => decodeAll(["<html><body>Bad gateway</body></html>\n"]), { code: RemoteErrorCode.MalformedStream });
    assert.throws(() => decodeAll(['data: {"a":1}\n\n']), { code: RemoteErrorCode.MalformedStream });
  });

  test("llama-server's native streams may end without [DONE]", () => {
    assert.deepEqual(decodeAll(['data: {"content":"x","stop":false}\n\ndata: {"content":"","stop":true}\n\n'], true), [
      { content: "x", stop: false },
      { content: "", stop: true },
    ]);
  });

  test("a partial last event is not delivered when the stream is cut", () => {
    const events: unknown[] = [];
    const decoder = createSseJsonDecoder((e) => events.push(e), { endpoint });
    decoder.feed('data: {"a":1}\n\ndata: {"b":');
    assert.throws(() => decoder.end(), { code: RemoteErrorCode.MalformedStream });
    assert.deepEqual(events, [{ a: 1 }]);
  });

  test("an error event mid-stream becomes the typed HTTP error it names", () => {
    assert.throws(() => decodeAll(['data: {"error":{"code":503,"message":"Loading model"}}\n\n']), { code: RemoteErrorCode.Busy });
    assert.throws(() => decodeAll(['data: {"error":{"code":400,"message":"the request exceeds the available context size"}}\n\n']), { code: RemoteErrorCode.ContextTooLong });
  });

  test("an oversized event is malformed", () => {
    const events: unknown[] = [];
    const decoder = createSseJsonDecoder((e) => events.push(e), { endpoint, maxEventChars: 100 });
    assert.throws(() => decoder.feed(`data: "${"x".repeat(500)}`), { code: RemoteErrorCode.MalformedStream });
  });
});
