/**
 * Whether the completion model can take a request, and getting it there: the first keystroke with a model
 * configured starts loading it in the background (once per model); meanwhile automatic completion declines with
 * `modelNotReady`, while an explicit request (`Alt+\`) waits for the load (`whenReady`). After the load the model's speed is measured (a short prefill + decode) and the token estimate
 * calibrated against its tokenizer, so the budgets fit this machine from the first suggestion on.
 */
import { errorCode, type ModelRef } from "../../core/backend/index.ts";
import { calibrateCharsPerToken, type SpeedSample } from "../../core/completion/index.ts";
import type { Ctx } from "../ctx.ts";
import type { BackendRegistry } from "../backendRegistry.ts";

/** Calibration text: ordinary code, so the ratio is the one of what is completed. */
const SAMPLE = `export function parseConfig(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split("\\n")) {
    const trimmed = line.trim();
    if (trimmed.length === 0 || trimmed.startsWith("#")) continue;
    const eq = trimmed.indexOf("=");
    if (eq < 0) throw new Error(\`line without "=": \${trimmed}\`);
    result[trimmed.slice(0, eq).trim()] = trimmed.slice(eq + 1).trim();
  }
  return result;
}
`;

export interface ModelReadyInfo {
  readonly model: ModelRef;
  readonly speed?: SpeedSample;
  readonly charsPerToken?: number;
  readonly contextSize: number;
  readonly fimSupported: boolean;
}

export class CompletionModelLoader {
  /** Ids of the model loading, ready, or failed to load (a different configured model is none of them). */
  private loadingId: string | undefined;
  private readyId: string | undefined;
  private failedId: string | undefined;
  private info: ModelReadyInfo | undefined;
  /** The load in flight (settles when it ends, whatever its outcome). */
  private loadInFlight: Promise<void> | undefined;
  /** Why the configured model failed to load (a backend error with its `code`), while `failed`. */
  private failureValue: unknown;

  constructor(
    private readonly ctx: Ctx,
    private readonly backends: BackendRegistry,
    private readonly onReady: (info: ModelReadyInfo) => void,
    private readonly onStateChange: () => void,
  ) {}

  get configuredModel(): ModelRef | undefined {
    return this.backends.modelFor("completion");
  }

  private isConfigured(id: string | undefined): boolean {
    return id !== undefined && id === this.configuredModel?.id;
  }

  get ready(): boolean {
    return this.isConfigured(this.readyId);
  }

  get loading(): boolean {
    return this.isConfigured(this.loadingId);
  }

  get failed(): boolean {
    return this.isConfigured(this.failedId);
  }

  /** What the failed load threw, for the status item; undefined unless `failed`. */
  get failure(): unknown {
    return this.failed ? this.failureValue : undefined;
  }

  get model(): ModelReadyInfo | undefined {
    return this.ready ? this.info : undefined;
  }

  /** Settings changed: a new model loads on the next keystroke. */
  reset(): void {
    this.readyId = undefined;
    this.failedId = undefined;
    this.onStateChange();
  }

  /** Starts loading the configured model in the background, once per model; returns at once. */
  kick(): void {
    const model = this.configuredModel;
    if (!model || this.ready || this.loading || this.failed) return;
    this.loadingId = model.id;
    this.onStateChange();
    const inFlight = this.load(model).finally(() => {
      if (this.loadingId === model.id) this.loadingId = undefined;
      if (this.loadInFlight === inFlight) this.loadInFlight = undefined;
      this.onStateChange();
    });
    this.loadInFlight = inFlight;
  }

  /**
   * Starts the load if needed and resolves once it ends: true when the configured model is ready, false when it
   * failed, was replaced by another model, or `signal` aborted first (the load itself goes on).
   */
  async whenReady(signal: AbortSignal): Promise<boolean> {
    this.kick();
    while (!this.ready && this.loading && !signal.aborted) {
      const inFlight = this.loadInFlight;
      if (!inFlight) break;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal.addEventListener("abort", onAbort, { once: true });
        void inFlight.finally(() => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        });
      });
    }
    return this.ready && !signal.aborted;
  }

  private async load(model: ModelRef): Promise<void> {
    try {
      const loaded = await this.backends.ensureModel("completion");
      const backend = await this.backends.backendFor("completion");
      let speed: SpeedSample | undefined;
      // A backend without a speed probe (a remote server) starts from the default speeds; requests then refine them.
      if (backend.measureSpeed) {
        try {
          speed = await backend.measureSpeed("completion");
        } catch (error) {
          this.ctx.log.warn(`completion: speed measurement failed (${errorCode(error)}); using defaults`);
        }
      }
      let charsPerToken: number | undefined;
      try {
        charsPerToken = calibrateCharsPerToken(SAMPLE.length, await backend.countTokens(SAMPLE, { role: "completion" }));
      } catch {
        // keep the default estimate
      }
      if (!this.isConfigured(model.id)) return;
      this.info = { model, speed, charsPerToken, contextSize: loaded.contextSize, fimSupported: loaded.fimSupported };
      this.readyId = model.id;
      this.ctx.log.info(
        `completion: model ready (FIM ${loaded.fimSupported ? "yes" : "no"}, context ${loaded.contextSize}` +
          (speed ? `, prefill ${Math.round(speed.prefillTokensPerSecond)} tok/s, decode ${Math.round(speed.decodeTokensPerSecond)} tok/s` : "") +
          (charsPerToken ? `, ${charsPerToken.toFixed(2)} chars/token)` : ")"),
      );
      this.onReady(this.info);
    } catch (error) {
      this.failedId = model.id;
      this.failureValue = error;
      this.ctx.log.warn(`completion: the completion model could not be loaded (${errorCode(error)}); completion stays off until the model setting changes or the engine restarts`);
    }
  }
}
