/**
 * Which endpoint serves the next request. Healthy endpoints whose breaker lets a request through are candidates; when
 * every candidate reported its load (llama-server's `/slots` or `/metrics`), the least busy goes first (busy slots
 * plus queued requests, relative to its slots); otherwise they take turns (round-robin). The whole ranking is
 * returned so a failed attempt fails over to the next one.
 */

export interface EndpointView {
  readonly url: string;
  /** The last health check passed (or none was made yet). */
  readonly healthy: boolean;
  /** The breaker lets a request through now. */
  readonly available: boolean;
  /** Requests running plus queued, when the server tells; undefined when it does not. */
  readonly load?: number;
  /** Parallel slots, when known. */
  readonly slots?: number;
  /** Requests this client has in flight there (counts between load polls). */
  readonly inFlight: number;
}

/** Endpoints in the order to try them; `turn` rotates the round-robin start (pass an incrementing counter). */
export function rankEndpoints(endpoints: readonly EndpointView[], turn: number): readonly string[] {
  const n = endpoints.length;
  if (n === 0) return [];
  const rotated = endpoints.map((_, i) => endpoints[(i + (turn % n) + n) % n]);
  const usable = rotated.filter((e) => e.healthy && e.available);
  const rest = rotated.filter((e) => !(e.healthy && e.available));
  const everyLoadKnown = usable.length > 0 && usable.every((e) => e.load !== undefined);
  const ordered = everyLoadKnown ? [...usable].sort((a, b) => pressure(a) - pressure(b)) : usable;
  // Unhealthy ones last: when all else fails they are still worth a try (a health check may be stale).
  return [...ordered, ...rest].map((e) => e.url);
}

/** Busy fraction: what the server reports plus what we sent since, over its slots. Stable sort keeps turn order on ties. */
function pressure(e: EndpointView): number {
  return ((e.load ?? 0) + e.inFlight) / Math.max(1, e.slots ?? 1);
}

/** Busy slots from llama-server's `GET /slots` body (an array with `is_processing` per slot). */
export function loadFromSlots(body: unknown): { load: number; slots: number } | undefined {
  if (!Array.isArray(body)) return undefined;
  const slots = body.filter((s): s is { is_processing?: unknown } => typeof s === "object" && s !== null);
  return { load: slots.filter((s) => s.is_processing === true).length, slots: slots.length };
}

/** Running + deferred requests from llama-server's Prometheus `GET /metrics` text. */
export function loadFromMetrics(text: string): number | undefined {
  const value = (name: string): number | undefined => {
    const match = new RegExp(`^llamacpp:${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$`, "m").exec(text);
    return match ? Number(match[1]) : undefined;
  };
  const processing = value("requests_processing");
  const deferred = value("requests_deferred");
  if (processing === undefined && deferred === undefined) return undefined;
  return (processing ?? 0) + (deferred ?? 0);
}

/** Whether a host is this machine (no consent needed: the code does not leave it). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "0:0:0:0:0:0:0:1";
}

/** A base URL as typed by the user, normalised (`http://host:8080/v1/` → `http://host:8080`), or an error text. */
export function normaliseEndpoint(input: string): { url: string } | { error: string } {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    return { error: "not a URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { error: "only http and https are supported" };
  if (url.username || url.password) return { error: "put the API key in the key prompt, not in the URL" };
  let path = url.pathname.replace(/\/+$/, "");
  if (path.endsWith("/v1")) path = path.slice(0, -3);
  return { url: `${url.protocol}//${url.host}${path}` };
}
