import * as vscode from "vscode";
import os from "node:os";
import path from "node:path";
import { parseModelUri } from "../../core/models/downloadPlan.ts";
import { formatGb } from "../../core/models/fit.ts";
import { catalogVerdict, orderCatalog, recommendPair } from "../../core/models/recommend.ts";
import type { CatalogModel } from "../../core/models/catalog.ts";
import type { ModelRef } from "../../core/backend/index.ts";
import { COMMANDS } from "../../core/commandIds.ts";
import type { EndpointModels } from "../../inference/remote/remoteBackend.ts";
import { describeError } from "../userMessages.ts";
import { browseForModel, checkGgufMagic } from "../selectModel.ts";
import { catalogFacts, localDetail, localFacts, verdictIcon, verdictText } from "./describeModel.ts";
import type { MachineInfo } from "./machine.ts";
import type { ModelManager, RoleChoice } from "./modelManager.ts";
import type { ListedModel } from "./modelLister.ts";

type Pick =
  | (vscode.QuickPickItem & { kind?: vscode.QuickPickItemKind.Default; action: "local"; model: ListedModel })
  | (vscode.QuickPickItem & { action: "catalog"; model: CatalogModel })
  | (vscode.QuickPickItem & { action: "pair"; completion: CatalogModel; chat: CatalogModel })
  | (vscode.QuickPickItem & { action: "path"; file: string })
  | (vscode.QuickPickItem & { action: "remote"; ref: ModelRef })
  | (vscode.QuickPickItem & { action: "browse" | "uri" | "addServer" | "none" });

/** Identifies a row across rebuilds of the list. */
function pickKey(pick: Pick): string {
  if (pick.action === "local") return `local:${pick.model.path}`;
  if (pick.action === "remote") return `remote:${pick.ref.endpoint ?? ""}:${pick.ref.remoteModel ?? ""}`;
  return `${pick.action}:${pick.label}`;
}

/** A pasted path to a `.gguf` file (absolute, or from the home folder): offered as the first entry. */
function pastedPath(value: string): string | undefined {
  const text = value.trim().replace(/^["']|["']$/g, "");
  if (!/\.gguf$/i.test(text)) return undefined;
  if (text.startsWith("~/")) return path.join(os.homedir(), text.slice(2));
  return path.isAbsolute(text) ? text : undefined;
}

function separator(label: string): Pick {
  return { label, kind: vscode.QuickPickItemKind.Separator, action: "none" };
}

/**
 * Select Model: one quick pick with sections (On this machine, Recommended downloads, Browse…, Enter a Hugging Face
 * URI…), each entry with size, quantization, context, FIM support and a fit verdict for this machine; then the role.
 */
export async function selectModelFromList(manager: ModelManager): Promise<void> {
  const quickPick = vscode.window.createQuickPick<Pick>();
  quickPick.title = vscode.l10n.t("Private Coder: Select Model");
  quickPick.placeholder = vscode.l10n.t("Pick a model on this machine, a recommended download, or a file");
  quickPick.matchOnDescription = true;
  quickPick.matchOnDetail = true;
  quickPick.busy = true;
  let listed: Pick[] = [...tailItems()];
  const render = (): void => {
    const file = pastedPath(quickPick.value);
    quickPick.items = file
      ? [{ label: `$(file) ${vscode.l10n.t("Use {0}", path.basename(file))}`, description: path.dirname(file), action: "path", file, alwaysShow: true }, ...listed]
      : listed;
  };
  render();
  quickPick.onDidChangeValue(render);
  quickPick.show();
  const controller = new AbortController();
  const chosen = new Promise<Pick | undefined>((resolve) => {
    quickPick.onDidAccept(() => resolve(quickPick.selectedItems[0]));
    quickPick.onDidHide(() => resolve(undefined));
  });
  let filled = false;
  void fillItems(manager, controller.signal, (items, done) => {
    // Keep the highlighted row when the list is rebuilt with the loader's estimates — not the placeholder list's
    // (its Browse… would scroll the full list to the bottom). A local row's icon and verdict change: match by path.
    const active = filled ? quickPick.activeItems[0] : undefined;
    filled = true;
    listed = items;
    render();
    const same = active && quickPick.items.find((item) => pickKey(item) === pickKey(active));
    if (same) quickPick.activeItems = [same];
    quickPick.busy = !done;
  }).catch((error: unknown) => {
    quickPick.busy = false;
    if (!controller.signal.aborted) quickPick.placeholder = vscode.l10n.t("Could not list models: {0}", error instanceof Error ? error.message : String(error));
  });
  const pick = await chosen;
  controller.abort();
  quickPick.dispose();
  if (!pick) return;
  await act(manager, pick);
}

function tailItems(): Pick[] {
  return [
    separator(vscode.l10n.t("Other")),
    { label: `$(folder-opened) ${vscode.l10n.t("Browse…")}`, description: vscode.l10n.t("any .gguf file"), action: "browse", alwaysShow: true },
    { label: `$(link) ${vscode.l10n.t("Enter a Hugging Face URI…")}`, description: "hf:user/repo/file.gguf", action: "uri", alwaysShow: true },
    { label: `$(server) ${vscode.l10n.t("Connect to a Server…")}`, description: vscode.l10n.t("llama-server, vLLM, Ollama, LM Studio (OpenAI-compatible)"), action: "addServer", alwaysShow: true },
  ];
}

/** Models per loader-estimate request: about the rows the picker shows at once. */
const REFINE_CHUNK = 10;

/** What the list is built from; it is shown again each time a part arrives (servers can be slow, never the local part). */
interface PickerParts {
  local?: readonly ListedModel[];
  machine?: MachineInfo;
  localDone: boolean;
  remote?: readonly EndpointModels[];
}

/**
 * The list in steps, each shown as soon as it is there: the local models with their header estimates (instant), the
 * configured servers' models (`GET /v1/models`, in parallel), then the engine's loader estimates (node-llama-cpp's
 * `GgufInsights`; the engine starts if needed). The picker never waits for the engine or a server.
 */
async function fillItems(manager: ModelManager, signal: AbortSignal, show: (items: Pick[], done: boolean) => void): Promise<void> {
  const parts: PickerParts = { localDone: false };
  const render = (): void => {
    if (signal.aborted || !parts.local || !parts.machine) return;
    // Done once the loader estimates are in and every server has answered (or failed).
    show([...buildItems(manager, parts.local, parts.machine, parts.remote ?? []), ...tailItems()], parts.localDone && parts.remote !== undefined);
  };
  const remote = manager
    .remoteModels(signal)
    .catch((error: unknown): EndpointModels[] => [{ url: "", origin: vscode.l10n.t("remote endpoints"), error: error instanceof Error ? error : new Error(String(error)) }])
    .then((listings) => {
      parts.remote = listings;
      render();
    });
  const local = (async () => {
    const [models, machine] = await Promise.all([manager.list(signal), manager.machine()]);
    parts.local = models;
    parts.machine = machine;
    parts.localDone = models.length === 0;
    render();
    if (models.length === 0) return;
    // In chunks, each shown as it arrives: the first rows the user reads get the loader's verdict in a second or
    // so, not after every model of a large folder (55 models took about 8 s here).
    const refined = [...models];
    for (let start = 0; start < models.length && !signal.aborted; start += REFINE_CHUNK) {
      const chunk = models.slice(start, start + REFINE_CHUNK);
      const answered = await manager.refine(chunk, signal);
      refined.splice(start, chunk.length, ...answered);
      // An engine that answered for none of them (it could not start, or timed out) is not asked again.
      const engineAnswered = answered.some((m) => m.loaderMs !== undefined);
      parts.local = [...refined];
      parts.localDone = !engineAnswered || start + REFINE_CHUNK >= models.length;
      render();
      if (parts.localDone) break;
    }
  })();
  await Promise.all([local, remote]);
}

export function buildItems(manager: ModelManager, local: readonly ListedModel[], machine: MachineInfo, remote: readonly EndpointModels[] = []): Pick[] {
  const items: Pick[] = [separator(vscode.l10n.t("On this machine"))];
  if (local.length === 0) items.push({ label: vscode.l10n.t("No models found yet"), description: vscode.l10n.t("download one below, or browse for a file"), action: "none" });
  for (const model of local) {
    items.push({ label: `${verdictIcon(model.verdict)} ${model.label}`, description: localFacts(model), detail: localDetail(model), action: "local", model });
  }
  items.push(...remoteItems(manager, remote));
  items.push(separator(vscode.l10n.t("Recommended downloads")));
  const pair = recommendPair(manager.catalog(), machine);
  if (pair.completion && pair.chat) {
    items.push({
      label: `$(star-full) ${vscode.l10n.t("Best pair for this machine")}`,
      description: vscode.l10n.t("{0} + {1}, {2} GB", pair.completion.label, pair.chat.label, formatGb(pair.completion.sizeBytes + pair.chat.sizeBytes)),
      detail: vscode.l10n.t("completion uses the small FIM model, chat the instruct model"),
      action: "pair",
      completion: pair.completion,
      chat: pair.chat,
    });
  }
  const downloaded = new Set(local.map((m) => path.basename(m.path)));
  for (const model of orderCatalog(manager.catalog(), machine)) {
    const verdict = catalogVerdict(model, machine);
    const have = downloaded.has(model.file);
    items.push({
      label: `$(cloud-download) ${model.label}`,
      description: catalogFacts(model),
      detail: `${verdictText(verdict)} · ${vscode.l10n.t("catalog size × 1.2")}${have ? ` · ${vscode.l10n.t("already downloaded")}` : ""}`,
      action: "catalog",
      model,
    });
  }
  return items;
}

/** The servers' section: each model with its server and context; a server that did not answer says why, in words. */
function remoteItems(manager: ModelManager, remote: readonly EndpointModels[]): Pick[] {
  if (remote.length === 0) return [];
  const items: Pick[] = [separator(vscode.l10n.t("On your servers"))];
  for (const listing of remote) {
    if ("error" in listing) {
      items.push({ label: `$(warning) ${listing.origin}`, description: describeError(listing.error, vscode.l10n), action: "none" });
      continue;
    }
    if (listing.models.length === 0) items.push({ label: `$(server) ${listing.origin}`, description: vscode.l10n.t("serves no model"), action: "none" });
    for (const model of listing.models) {
      const inUse = manager.remoteRolesOf(model.ref);
      const facts = [listing.origin, ...(model.contextSize ? [vscode.l10n.t("context {0}", model.contextSize)] : []), ...(inUse.length > 0 ? [vscode.l10n.t("in use for {0}", inUse.join(" + "))] : [])];
      items.push({
        label: `$(server) ${model.ref.remoteModel ?? model.ref.label}`,
        description: facts.join(" · "),
        detail: vscode.l10n.t("runs on the server: your code goes there after the safety filter"),
        action: "remote",
        ref: model.ref,
      });
    }
  }
  return items;
}

async function act(manager: ModelManager, pick: Pick): Promise<void> {
  switch (pick.action) {
    case "local": {
      const role = await chooseRole(pick.model.label, pick.model.summary?.fim ?? true);
      if (role) await manager.use(pick.model.path, role, pick.model);
      return;
    }
    case "catalog": {
      const file = await manager.downloadWithProgress(manager.catalogDownload(pick.model));
      if (!file) return;
      const role = pick.model.role === "both" ? await chooseRole(pick.model.label, pick.model.fim) : pick.model.role;
      if (role) await manager.use(file, role);
      return;
    }
    case "pair": {
      const completion = await manager.downloadWithProgress(manager.catalogDownload(pick.completion));
      if (completion) await manager.use(completion, "completion");
      const chat = completion ? await manager.downloadWithProgress(manager.catalogDownload(pick.chat)) : undefined;
      if (chat) await manager.use(chat, "chat");
      return;
    }
    case "browse": {
      const file = await browseForModel(manager);
      if (!file) return;
      const role = await chooseRole(path.basename(file), true);
      if (role) await manager.use(file, role);
      return;
    }
    case "path": {
      const problem = await checkGgufMagic(pick.file);
      if (problem) throw new Error(problem);
      const role = await chooseRole(path.basename(pick.file), true);
      if (role) await manager.use(pick.file, role);
      return;
    }
    case "remote": {
      const role = await chooseRole(pick.ref.remoteModel ?? pick.ref.label, true);
      if (role) await manager.useRemote(pick.ref, role);
      return;
    }
    case "addServer":
      await vscode.commands.executeCommand(COMMANDS.addRemoteEndpoint);
      return;
    case "uri":
      return enterUri(manager);
    case "none":
      return;
  }
}

async function enterUri(manager: ModelManager): Promise<void> {
  const endpoint = manager.endpoint;
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t("Download a GGUF model"),
    prompt: vscode.l10n.t("hf:<user>/<repo>/<file>.gguf (optionally #revision) or an https:// URL. Size and SHA-256 are checked against the server's metadata."),
    placeHolder: "hf:ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/qwen2.5-coder-1.5b-q8_0.gguf",
    ignoreFocusOut: true,
    validateInput: (value) => {
      if (!value.trim()) return undefined;
      const parsed = parseModelUri(value, endpoint);
      return "error" in parsed ? parsed.error : undefined;
    },
  });
  if (!text) return;
  const parsed = parseModelUri(text, endpoint);
  if ("error" in parsed) return;
  const file = await manager.downloadWithProgress({ url: parsed.url, fileName: parsed.fileName, label: parsed.fileName });
  if (!file) return;
  const problem = await checkGgufMagic(file);
  if (problem) throw new Error(problem);
  const role = await chooseRole(parsed.fileName, true);
  if (role) await manager.use(file, role);
}

/** Completion and chat together (loaded once) or one role; a model without FIM tokens suggests chat first. */
export async function chooseRole(name: string, fim: boolean): Promise<RoleChoice | undefined> {
  const both = { label: vscode.l10n.t("Chat and completion"), role: "both" as RoleChoice, description: vscode.l10n.t("One model for everything, loaded once") };
  const completion = {
    label: vscode.l10n.t("Inline completion only"),
    role: "completion" as RoleChoice,
    description: fim ? vscode.l10n.t("A small FIM coder model is fastest") : vscode.l10n.t("This model has no FIM tokens: completion sees only the code before the cursor"),
  };
  const chat = { label: vscode.l10n.t("Chat and Explain Selection only"), role: "chat" as RoleChoice };
  const picked = await vscode.window.showQuickPick(fim ? [both, completion, chat] : [chat, both, completion], { title: vscode.l10n.t("Use {0} for…", name), ignoreFocusOut: true });
  return picked?.role;
}
