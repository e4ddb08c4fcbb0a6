/**
 * Server-sent events from an OpenAI-compatible server, parsed with `eventsource-parser` (not by hand): bytes in any
 * split (mid-line, mid-UTF-8 character) go in, whole JSON payloads come out. `[DONE]` ends the stream; a payload that
 * is not JSON, or an `{ "error": … }` payload, ends it with a typed error; comments and unknown fields are ignored,
 * as the SSE specification says.
 */
import { createParser, type EventSourceParser } from "eventsource-parser";
import { httpError, RemoteError, RemoteErrorCode, safeOrigin } from "./errors.ts";

export interface SseJsonDecoder {
  /** Feeds raw bytes (or text); calls `onJson` for every complete event. Throws a `RemoteError` on a bad payload. */
  feed(chunk: Uint8Array | string): void;
  /** The input ended: throws a `MalformedStream` error when it ended before `[DONE]` and `allowEndWithoutDone` is off. */
  end(): void;
  /** `[DONE]` was seen. */
  readonly done: boolean;
}

export interface SseJsonOptions {
  /** For error messages (its origin only is kept). */
  readonly endpoint: string;
  /**
   * Streams that end by closing instead of `[DONE]` (llama-server's `/infill` and `/completion` send a last payload
   * with `stop: true`, then close). Default false.
   */
  readonly allowEndWithoutDone?: boolean;
  /** Largest single event, in characters; more is a malformed stream. Default 4 MiB. */
  readonly maxEventChars?: number;
}

export function createSseJsonDecoder(onJson: (value: unknown) => void, options: SseJsonOptions): SseJsonDecoder {
  const decoder = new TextDecoder("utf-8");
  let done = false;
  let failure: RemoteError | undefined;
  const malformed = (why: string) => new RemoteError(RemoteErrorCode.MalformedStream, `malformed event stream from ${safeOrigin(options.endpoint)}: ${why}`, { endpoint: safeOrigin(options.endpoint) });
  const parser: EventSourceParser = createParser({
    maxBufferSize: options.maxEventChars ?? 4 * 2 ** 20,
    onEvent(event) {
      if (done || failure) return;
      const data = event.data.trim();
      if (data === "[DONE]") {
        done = true;
        return;
      }
      if (data === "") return;
      let value: unknown;
      try {
        value = JSON.parse(data);
      } catch {
        failure = malformed("an event that is not JSON");
        return;
      }
      const error = (value as { error?: unknown } | null)?.error;
      if (error !== undefined && error !== null) {
        const status = typeof (error as { code?: unknown }).code === "number" ? (error as { code: number }).code : 500;
        failure = httpError(status, JSON.stringify({ error }), options.endpoint);
        return;
      }
      onJson(value);
    },
    onError(error) {
      // Unknown fields and bad `retry:` values are harmless (the spec ignores them); an oversized event is not.
      if (error.type === "max-buffer-size-exceeded") failure ??= malformed("an event larger than the limit");
    },
  });
  const check = () => {
    if (failure) throw failure;
  };
  return {
    feed(chunk) {
      check();
      parser.feed(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
      check();
    },
    end() {
      check();
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      check();
      if (!done && !options.allowEndWithoutDone) throw malformed("the stream ended before [DONE]");
    },
    get done() {
      return done;
    },
  };
}
