/**
 * Whether the completion model can take a request, and getting it there: the first keystroke with a model
 * configured starts loading it in the background (once per model path); meanwhile completion declines with
 * `modelNotReady`. After the load the model's speed is measured (a short prefill + decode) and the token estimate
 * calibrated against its tokenizer, so the budgets fit this machine from the first suggestion on.
 */
import { errorCode } from "../../core/backend/index.ts";
import { calibrateCharsPerToken, type SpeedSample } from "../../core/completion/index.ts";
import type { Ctx } from "../ctx";
import type { BackendRegistry } from "../backendRegistry";

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
  readonly path: string;
  readonly speed?: SpeedSample;
  readonly charsPerToken?: number;
  readonly contextSize: number;
  readonly fimSupported: boolean;
}

export class CompletionModelLoader {
  private loadingPath: string | undefined;
  private readyPath: string | undefined;
  private failedPath: string | undefined;
  private info: ModelReadyInfo | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly backends: BackendRegistry,
    private readonly onReady: (info: ModelReadyInfo) => void,
    private readonly onStateChange: () => void,
  ) {}

  get configuredPath(): string {
    return this.ctx.config.completionModelPath;
  }

  get ready(): boolean {
    return this.readyPath !== undefined && this.readyPath === this.configuredPath;
  }

  get loading(): boolean {
    return this.loadingPath !== undefined && this.loadingPath === this.configuredPath;
  }

  get failed(): boolean {
    return this.failedPath !== undefined && this.failedPath === this.configuredPath;
  }

  get model(): ModelReadyInfo | undefined {
    return this.ready ? this.info : undefined;
  }

  /** Settings changed: a new path loads on the next keystroke. */
  reset(): void {
    this.readyPath = undefined;
    this.failedPath = undefined;
    this.onStateChange();
  }

  /** Starts loading the configured model in the background, once per path; returns at once. */
  kick(): void {
    const path = this.configuredPath;
    if (!path || this.ready || this.loading || this.failed) return;
    this.loadingPath = path;
    this.onStateChange();
    void this.load(path).finally(() => {
      if (this.loadingPath === path) this.loadingPath = undefined;
      this.onStateChange();
    });
  }

  private async load(path: string): Promise<void> {
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
      if (this.configuredPath !== path) return;
      this.info = { path, speed, charsPerToken, contextSize: loaded.contextSize, fimSupported: loaded.fimSupported };
      this.readyPath = path;
      this.ctx.log.info(
        `completion: model ready (FIM ${loaded.fimSupported ? "yes" : "no"}, context ${loaded.contextSize}` +
          (speed ? `, prefill ${Math.round(speed.prefillTokensPerSecond)} tok/s, decode ${Math.round(speed.decodeTokensPerSecond)} tok/s` : "") +
          (charsPerToken ? `, ${charsPerToken.toFixed(2)} chars/token)` : ")"),
      );
      this.onReady(this.info);
    } catch (error) {
      this.failedPath = path;
      this.ctx.log.warn(`completion: the completion model could not be loaded (${errorCode(error)}); completion stays off until the model setting changes or the engine restarts`);
    }
  }
}
