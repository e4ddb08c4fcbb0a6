/** The remote backend's pure parts: typed errors, SSE decoding, FIM templates, endpoint ranking, the circuit breaker. */
export * from "./errors.ts";
export * from "./sse.ts";
export * from "./fim.ts";
export * from "./breaker.ts";
export * from "./selection.ts";
