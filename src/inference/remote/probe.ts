/**
 * "Test Connection": one endpoint's health, round-trip latency, model list, server kind and how fill-in-the-middle
 * would work there. Sends no code (only GETs), so it needs no consent.
 */
import { fimFamilyOf, type FimFamily } from "../../core/remote/index.ts";
import { RemoteServer, type RemoteServerOptions, type ServerKind } from "./server.ts";

export interface ProbeResult {
  readonly url: string;
  readonly healthy: boolean;
  /** Round trip of `GET /v1/models`, ms. */
  readonly latencyMs: number;
  readonly kind: ServerKind;
  readonly models: readonly string[];
  readonly slots?: number;
  /** `infill`: llama-server's /infill; `suffix`: Ollama; `template`: a family template; `none`: prefix only. */
  readonly fim: "infill" | "suffix" | "template" | "none";
}

export async function probeEndpoint(url: string, options: RemoteServerOptions, fimTemplate: FimFamily | "auto" | "none", signal?: AbortSignal): Promise<ProbeResult> {
  const server = new RemoteServer(url, { ...options, retries: 0 });
  const healthy = await server.health(signal);
  const started = performance.now();
  await server.models(signal);
  const latencyMs = Math.round(performance.now() - started);
  const info = await server.serverInfo(signal);
  const first = info.models[0]?.id ?? "";
  const fim =
    info.kind === "llama-server"
      ? "infill"
      : fimTemplate === "none"
        ? "none"
        : info.kind === "ollama" && fimTemplate === "auto"
          ? "suffix"
          : fimTemplate !== "auto" || fimFamilyOf(first)
            ? "template"
            : "none";
  return { url, healthy, latencyMs, kind: info.kind, models: info.models.map((m) => m.id), ...(info.slots !== undefined ? { slots: info.slots } : {}), fim };
}
