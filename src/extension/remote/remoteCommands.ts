/**
 * Commands for remote endpoints: Add (URL, then the API key into SecretStorage, then a connection test and the choice
 * of roles), Test Connection (models, latency, whether fill-in-the-middle works) and Remove (the URL, its key and its
 * consent). Errors are worded by `describeError`.
 */
import * as vscode from "vscode";
import { MODEL_ROLES, remoteModelRef, type ModelRole } from "../../core/backend/index.ts";
import { COMMANDS } from "../../core/commandIds.ts";
import { normaliseEndpoint, safeOrigin } from "../../core/remote/index.ts";
import { probeEndpoint, type ProbeResult } from "../../inference/remote/probe.ts";
import type { Ctx } from "../ctx.ts";
import { describeError } from "../userMessages.ts";
import type { RemoteHost } from "./remoteHost.ts";

export function registerRemoteCommands(ctx: Ctx, host: RemoteHost): void {
  const register = (id: string, handler: () => Promise<unknown>) =>
    ctx.track(
      vscode.commands.registerCommand(id, async () => {
        try {
          return await handler();
        } catch (error) {
          ctx.log.error(`Command ${id} failed: ${error instanceof Error ? error.message : String(error)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t("Private Coder: {0}", describeError(error, vscode.l10n)));
          return undefined;
        }
      }),
    );
  register(COMMANDS.addRemoteEndpoint, () => addEndpoint(ctx, host));
  register(COMMANDS.testRemoteConnection, () => testConnection(ctx, host));
  register(COMMANDS.removeRemoteEndpoint, () => removeEndpoint(ctx, host));
}

async function addEndpoint(ctx: Ctx, host: RemoteHost): Promise<void> {
  const input = await vscode.window.showInputBox({
    title: vscode.l10n.t("Private Coder: Add Remote Endpoint"),
    prompt: vscode.l10n.t("Base URL of an OpenAI-compatible server (llama-server, vLLM, Ollama, LM Studio…)"),
    placeHolder: "http://gpu-box:8080",
    ignoreFocusOut: true,
    validateInput: (value) => {
      const result = normaliseEndpoint(value);
      return "error" in result ? vscode.l10n.t("Not a usable URL: {0}", result.error) : undefined;
    },
  });
  if (input === undefined) return;
  const normalised = normaliseEndpoint(input);
  if ("error" in normalised) return;
  const url = normalised.url;
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t("API key for {0}", safeOrigin(url)),
    prompt: vscode.l10n.t("Leave empty if the server needs none. It is kept in the editor's secret storage, never in settings or logs."),
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  await host.setApiKey(url, key.trim() || undefined);
  const configured = ctx.config.get("remote.endpoints");
  if (!host.endpoints().includes(url)) await ctx.config.update("remote.endpoints", [...configured, url]);
  ctx.log.info(`remote: endpoint ${safeOrigin(url)} added (API key ${key.trim() ? "stored in secret storage" : "none"})`);
  const probe = await probeWithProgress(ctx, host, url).catch((error: unknown) => error);
  if (!isProbe(probe)) {
    void vscode.window.showWarningMessage(vscode.l10n.t("{0} was added, but the connection test failed: {1}", safeOrigin(url), describeError(probe, vscode.l10n)));
    return;
  }
  const both = vscode.l10n.t("Use for Chat and Completion");
  const chat = vscode.l10n.t("Use for Chat");
  const completion = vscode.l10n.t("Use for Completion");
  const choice = await vscode.window.showInformationMessage(summary(probe), both, chat, completion);
  const roles: ModelRole[] = choice === both ? [...MODEL_ROLES] : choice === chat ? ["chat"] : choice === completion ? ["completion"] : [];
  for (const role of roles) await host.useModel(role, remoteModelRef(url, probe.models[0] ?? ""));
}

async function testConnection(ctx: Ctx, host: RemoteHost): Promise<ProbeResult | undefined> {
  const url = await pickEndpoint(host, vscode.l10n.t("Test the connection to…"));
  if (!url) return undefined;
  const probe = await probeWithProgress(ctx, host, url);
  ctx.log.info(`remote: test of ${safeOrigin(url)}: ${probe.kind}, ${probe.healthy ? "healthy" : "unhealthy"}, ${probe.latencyMs} ms, ${probe.models.length} model(s), FIM ${probe.fim}`);
  void vscode.window.showInformationMessage(summary(probe));
  return probe;
}

async function removeEndpoint(ctx: Ctx, host: RemoteHost): Promise<void> {
  const url = await pickEndpoint(host, vscode.l10n.t("Remove which endpoint?"));
  if (!url) return;
  await ctx.config.update("remote.endpoints", ctx.config.get("remote.endpoints").filter((raw) => {
    const n = normaliseEndpoint(raw);
    return !("url" in n && n.url === url);
  }));
  await host.setApiKey(url, undefined);
  await host.consent.forget(url);
  ctx.log.info(`remote: endpoint ${safeOrigin(url)} removed with its API key and consent`);
  void vscode.window.showInformationMessage(vscode.l10n.t("Private Coder: removed {0} with its API key and consent.", safeOrigin(url)));
}

/** The only endpoint, or the user's pick among several; undefined when none is configured or the pick is cancelled. */
async function pickEndpoint(host: RemoteHost, title: string): Promise<string | undefined> {
  const endpoints = host.endpoints();
  if (endpoints.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t("No remote endpoint is configured. Run Private Coder: Add Remote Endpoint… first."));
    return undefined;
  }
  if (endpoints.length === 1) return endpoints[0];
  return (await vscode.window.showQuickPick(endpoints, { title }))?.toString();
}

function probeWithProgress(ctx: Ctx, host: RemoteHost, url: string): Promise<ProbeResult> {
  const config = ctx.config;
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t("Testing {0}…", safeOrigin(url)) }, () =>
      probeEndpoint(url, { apiKey: () => host.apiKey(url), ca: () => host.caCertificates(), connectTimeoutMs: config.get("remote.connectTimeoutMs") }, config.get("remote.fimTemplate")),
    ),
  );
}

function isProbe(value: unknown): value is ProbeResult {
  return typeof value === "object" && value !== null && "latencyMs" in value;
}

function summary(probe: ProbeResult): string {
  const fim = {
    infill: vscode.l10n.t("fill-in-the-middle through /infill"),
    suffix: vscode.l10n.t("fill-in-the-middle through the suffix field"),
    template: vscode.l10n.t("fill-in-the-middle through the model's template"),
    none: vscode.l10n.t("no fill-in-the-middle (completion sees the text before the cursor only)"),
  }[probe.fim];
  const models = probe.models.length > 0 ? probe.models.slice(0, 5).join(", ") + (probe.models.length > 5 ? "…" : "") : vscode.l10n.t("none");
  return vscode.l10n.t("{0} ({1}) answers in {2} ms; models: {3}; {4}.", safeOrigin(probe.url), probe.kind, probe.latencyMs, models, fim);
}
