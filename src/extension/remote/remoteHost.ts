/**
 * The host's side of the remote backend: builds the `RemoteBackend` from the settings (endpoints, CA file,
 * time-outs, FIM template), hands it the API keys from `SecretStorage` and the consent gate, and answers which roles
 * run remotely. The API key lives only in SecretStorage and in the `Authorization` header of requests: never in
 * settings, logs or the usage log.
 *
 * For other features: `listModels()` gives every remote model as a `ModelRef` (the model picker lists them next to
 * local ones), `useModel(role, ref)` makes a role use one, `location(role)` says local or remote (the status bar).
 */
import { readFileSync } from "node:fs";
import * as vscode from "vscode";
import { remoteModelRef, type LogEvent, type ModelRef, type ModelRole } from "../../core/backend/index.ts";
import { normaliseEndpoint, safeOrigin } from "../../core/remote/index.ts";
import type { BackendChoice, SettingKey } from "../../core/settings.ts";
import { RemoteBackend, type EndpointModels } from "../../inference/remote/remoteBackend.ts";
import type { Ctx } from "../ctx.ts";
import { RemoteConsent } from "./consent.ts";

/** Settings the backend is built with: a change builds a fresh one. */
const REBUILD_KEYS: readonly SettingKey[] = ["remote.caFile", "remote.connectTimeoutMs", "remote.firstTokenTimeoutMs"];
/** Settings that change where a role runs (the status bar listens through `onDidChangeLocation`). */
const LOCATION_KEYS: readonly SettingKey[] = ["completion.backend", "chat.backend", "remote.endpoints"];

export class RemoteHost implements vscode.Disposable {
  readonly consent: RemoteConsent;
  private current: RemoteBackend | undefined;
  private logSubscription: { dispose(): void } | undefined;
  private readonly locationEmitter = new vscode.EventEmitter<void>();
  /** Fires when a role moves between local and remote, or the endpoints change. */
  readonly onDidChangeLocation = this.locationEmitter.event;
  private readonly configSubscription: vscode.Disposable;
  private ca: { path: string; pem: string | undefined } | undefined;

  constructor(
    private readonly ctx: Ctx,
    private readonly log: (event: LogEvent) => void,
  ) {
    this.consent = new RemoteConsent(ctx.extensionContext.globalState);
    this.configSubscription = ctx.config.onDidChange((keys) => {
      if (REBUILD_KEYS.some((k) => keys.has(k))) this.rebuild();
      if (LOCATION_KEYS.some((k) => keys.has(k))) this.locationEmitter.fire();
    });
  }

  /** Where `role` runs now. */
  location(role: ModelRole): BackendChoice {
    return this.ctx.config.get(role === "completion" ? "completion.backend" : "chat.backend");
  }

  /** The configured endpoints, normalised; malformed entries are skipped (and logged once by `Config`'s checks). */
  endpoints(): string[] {
    const urls: string[] = [];
    for (const raw of this.ctx.config.get("remote.endpoints")) {
      const normalised = normaliseEndpoint(raw);
      if ("url" in normalised && !urls.includes(normalised.url)) urls.push(normalised.url);
    }
    return urls;
  }

  /** The remote model serving `role` (the first endpoint names it; requests go to whichever endpoint is best). */
  modelFor(role: ModelRole): ModelRef {
    const name = this.ctx.config.get(role === "completion" ? "remote.completionModel" : "remote.chatModel");
    return remoteModelRef(this.endpoints()[0] ?? "", name);
  }

  /** The backend every remote role shares (created on first use). */
  backend(): RemoteBackend {
    if (this.current) return this.current;
    const config = this.ctx.config;
    const backend = new RemoteBackend({
      endpoints: () => this.endpoints(),
      apiKey: (url) => this.apiKey(url),
      beforeSend: (url) => this.consent.ensure(url),
      mayContact: (url) => this.consent.has(url),
      ca: () => this.caCertificates(),
      connectTimeoutMs: config.get("remote.connectTimeoutMs"),
      firstTokenTimeoutMs: config.get("remote.firstTokenTimeoutMs"),
      fimTemplate: () => config.get("remote.fimTemplate"),
    });
    this.logSubscription = backend.onLog((event) => this.log(event));
    this.current = backend;
    return backend;
  }

  /** Every model of every endpoint as a `ModelRef` (source `remote`); unreachable ones skipped. */
  listModels(signal?: AbortSignal): Promise<ModelRef[]> {
    return this.backend().listModels({ signal });
  }

  /** Each endpoint's models or its error, for the model picker (no endpoint configured: an empty list, no request). */
  listModelsByEndpoint(signal?: AbortSignal): Promise<EndpointModels[]> {
    if (this.endpoints().length === 0) return Promise.resolve([]);
    return this.backend().listModelsByEndpoint({ signal });
  }

  /** Makes `role` use a remote model from `listModels` (its endpoint is added to the list if missing). */
  async useModel(role: ModelRole, ref: ModelRef): Promise<void> {
    if (ref.source !== "remote" || !ref.endpoint) throw new Error(`${ref.label} is not a remote model`);
    if (!this.endpoints().includes(ref.endpoint)) await this.ctx.config.update("remote.endpoints", [...this.ctx.config.get("remote.endpoints"), ref.endpoint]);
    await this.ctx.config.update(role === "completion" ? "remote.completionModel" : "remote.chatModel", ref.remoteModel ?? "");
    await this.ctx.config.update(role === "completion" ? "completion.backend" : "chat.backend", "remote");
  }

  apiKey(url: string): Promise<string | undefined> {
    return Promise.resolve(this.ctx.extensionContext.secrets.get(secretKey(url)));
  }

  /** Stores (or, with an empty key, deletes) the API key of an endpoint in SecretStorage. */
  async setApiKey(url: string, key: string | undefined): Promise<void> {
    if (key) await this.ctx.extensionContext.secrets.store(secretKey(url), key);
    else await this.ctx.extensionContext.secrets.delete(secretKey(url));
  }

  /** The backend is rebuilt on next use (settings it was built with changed). */
  rebuild(): void {
    const old = this.current;
    this.current = undefined;
    this.ca = undefined;
    this.logSubscription?.dispose();
    void old?.dispose();
  }

  /** The extra CA certificates of `privateCoder.remote.caFile` (PEM), read once per path. */
  caCertificates(): string | undefined {
    const file = this.ctx.config.get("remote.caFile").trim();
    if (!file) return undefined;
    if (this.ca?.path !== file) {
      try {
        this.ca = { path: file, pem: readFileSync(file, "utf8") };
      } catch (error) {
        this.ctx.log.warn(`remote: the CA file in privateCoder.remote.caFile could not be read (${(error as NodeJS.ErrnoException).code ?? "error"}); using the default CAs`);
        this.ca = { path: file, pem: undefined };
      }
    }
    return this.ca.pem;
  }

  dispose(): Promise<void> {
    this.configSubscription.dispose();
    this.locationEmitter.dispose();
    this.logSubscription?.dispose();
    const old = this.current;
    this.current = undefined;
    return old ? old.dispose() : Promise.resolve();
  }
}

/** SecretStorage key of an endpoint's API key (per origin + path, so two servers never share one by accident). */
function secretKey(url: string): string {
  const normalised = normaliseEndpoint(url);
  return `privateCoder.remote.apiKey:${"url" in normalised ? normalised.url : safeOrigin(url)}`;
}
