/**
 * The team's endpoints: one `RemoteServer` and one circuit breaker each, health (`/health`) and load (`/slots` or
 * `/metrics`) refreshed in the background, and `run` that tries them in `rankEndpoints` order, failing over to the
 * next on an endpoint failure (refused, reset, time-out, busy, 5xx, malformed stream). A request whose answer was
 * already partly shown cannot move; the caller says so through `canFailOver`.
 */
import {
  CircuitBreaker,
  isEndpointFailure,
  rankEndpoints,
  RemoteCancelledError,
  RemoteError,
  RemoteErrorCode,
  safeOrigin,
  type BreakerOptions,
  type EndpointView,
} from "../../core/remote/index.ts";
import { RemoteServer, type RemoteServerOptions } from "./server.ts";

export interface EndpointPoolOptions extends Omit<RemoteServerOptions, "apiKey"> {
  /** The configured base URLs, read at each request (a settings change applies at once). */
  readonly endpoints: () => readonly string[];
  /** The API key of an endpoint (from SecretStorage). */
  readonly apiKey?: (url: string) => Promise<string | undefined>;
  /** Awaited before a request goes to an endpoint (the consent modal); rejects to refuse. Default: allow. */
  readonly beforeSend?: (url: string) => Promise<void>;
  /** Whether background health and load checks may contact an endpoint yet (not before consent). Default: yes. */
  readonly mayContact?: (url: string) => boolean;
  /** How often health and load are refreshed while the pool is in use, ms. Default 10,000; 0: only on demand. */
  readonly healthIntervalMs?: number;
  /** A load reading older than this is refreshed (in the background) when a request is ranked. Default 1,000 ms. */
  readonly loadMaxAgeMs?: number;
  readonly breaker?: BreakerOptions;
  readonly log?: (level: "info" | "warn" | "debug", message: string) => void;
}

interface EndpointState {
  readonly server: RemoteServer;
  readonly breaker: CircuitBreaker;
  healthy: boolean;
  load?: number;
  slots?: number;
  loadAt: number;
  loadRefresh?: Promise<void>;
  inFlight: number;
}

export interface EndpointReport {
  readonly url: string;
  readonly healthy: boolean;
  readonly breaker: "closed" | "open" | "halfOpen";
  readonly load?: number;
  readonly slots?: number;
  readonly inFlight: number;
}

export class EndpointPool {
  private readonly states = new Map<string, EndpointState>();
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: EndpointPoolOptions) {}

  /** The configured endpoints' servers, created on first sight (a removed endpoint is forgotten). */
  private current(): EndpointState[] {
    const urls = this.options.endpoints();
    for (const url of [...this.states.keys()]) if (!urls.includes(url)) this.states.delete(url);
    return urls.map((url) => {
      let state = this.states.get(url);
      if (!state) {
        const { apiKey, ca, connectTimeoutMs, firstTokenTimeoutMs, retries, retryBaseMs } = this.options;
        state = {
          server: new RemoteServer(url, { ca, connectTimeoutMs, firstTokenTimeoutMs, retries, retryBaseMs, ...(apiKey ? { apiKey: () => apiKey(url) } : {}) }),
          breaker: new CircuitBreaker(this.options.breaker),
          healthy: true,
          loadAt: 0,
          inFlight: 0,
        };
        this.states.set(url, state);
      }
      return state;
    });
  }

  server(url: string): RemoteServer | undefined {
    return this.current().find((s) => s.server.url === url)?.server;
  }

  /** The first endpoint in ranking order (for model lists and server facts). */
  servers(): RemoteServer[] {
    return this.current().map((s) => s.server);
  }

  /**
   * Runs `attempt` on the best endpoint, then the next on an endpoint failure while `canFailOver()` (default: always).
   * Rejects with the last endpoint's error, `NoEndpoint` when none is configured, `CircuitOpen` when all are open.
   */
  async run<T>(attempt: (server: RemoteServer) => Promise<T>, options: { signal?: AbortSignal; canFailOver?: () => boolean } = {}): Promise<T> {
    const states = this.current();
    if (states.length === 0) throw new RemoteError(RemoteErrorCode.NoEndpoint, "no remote endpoint is configured");
    this.startTimer();
    for (const s of states) if (Date.now() - s.loadAt > (this.options.loadMaxAgeMs ?? 1_000) && this.mayContact(s)) void this.refreshLoad(s);
    const views: EndpointView[] = states.map((s) => ({ url: s.server.url, healthy: s.healthy, available: s.breaker.state !== "open", load: s.load, slots: s.slots, inFlight: s.inFlight }));
    const order = rankEndpoints(views, this.turn++);
    let lastError: Error | undefined;
    for (const url of order) {
      const state = this.states.get(url);
      if (!state) continue;
      if (!state.breaker.tryAcquire()) {
        lastError ??= new RemoteError(RemoteErrorCode.CircuitOpen, `${safeOrigin(url)} failed repeatedly; skipped for ${Math.ceil(state.breaker.retryInMs / 1000)} s`, { endpoint: safeOrigin(url) });
        continue;
      }
      try {
        await this.options.beforeSend?.(url);
      } catch (error) {
        state.breaker.release();
        throw error;
      }
      state.inFlight++;
      try {
        const result = await attempt(state.server);
        state.breaker.success();
        state.healthy = true;
        return result;
      } catch (error) {
        if (error instanceof RemoteCancelledError || options.signal?.aborted || !isEndpointFailure(error)) {
          state.breaker.release();
          throw error;
        }
        state.breaker.failure();
        if (error instanceof RemoteError && (error.code === RemoteErrorCode.Unreachable || error.code === RemoteErrorCode.Timeout)) {
          state.healthy = false;
          state.server.forget();
        }
        this.options.log?.("warn", `${safeOrigin(url)}: ${error instanceof Error ? error.message : String(error)}${options.canFailOver?.() === false ? "" : "; trying the next endpoint"}`);
        lastError = error instanceof Error ? error : new Error(String(error));
        if (options.canFailOver?.() === false) throw error;
      } finally {
        state.inFlight--;
      }
    }
    throw lastError ?? new RemoteError(RemoteErrorCode.NoEndpoint, "no remote endpoint is configured");
  }

  /** Health and load of every endpoint, checked now. */
  async check(signal?: AbortSignal): Promise<EndpointReport[]> {
    const states = this.current().filter((s) => this.mayContact(s));
    await Promise.all(
      states.map(async (s) => {
        s.healthy = await s.server.health(signal);
        if (s.healthy) await this.refreshLoad(s);
      }),
    );
    return this.report();
  }

  report(): EndpointReport[] {
    return this.current().map((s) => ({ url: s.server.url, healthy: s.healthy, breaker: s.breaker.state, ...(s.load !== undefined ? { load: s.load } : {}), ...(s.slots !== undefined ? { slots: s.slots } : {}), inFlight: s.inFlight }));
  }

  private mayContact(state: EndpointState): boolean {
    return this.options.mayContact?.(state.server.url) ?? true;
  }

  private refreshLoad(state: EndpointState): Promise<void> {
    state.loadRefresh ??= (async () => {
      try {
        const load = await state.server.load();
        state.load = load?.load;
        state.slots = load?.slots ?? state.slots;
      } catch {
        state.load = undefined;
      } finally {
        state.loadAt = Date.now();
        state.loadRefresh = undefined;
      }
    })();
    return state.loadRefresh;
  }

  private startTimer(): void {
    const interval = this.options.healthIntervalMs ?? 10_000;
    if (this.timer || interval <= 0 || this.disposed) return;
    this.timer = setInterval(() => {
      this.check().catch(() => undefined);
    }, interval);
    this.timer.unref();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.states.clear();
  }
}
