import * as vscode from "vscode";
import { estimateFromParameters, fitVerdict, formatGb, ruleOfThumbTable } from "../../core/models/fit.ts";
import { catalogVerdict } from "../../core/models/recommend.ts";
import type { BackendStatus } from "../../core/backend/index.ts";
import { basisText, verdictText } from "./describeModel.ts";
import type { MachineInfo } from "./machine.ts";
import type { ModelManager } from "./modelManager.ts";
import { describeEngineBinary } from "../userMessages.ts";
import { ReadOnlyDocuments } from "../readOnlyDocuments.ts";

/**
 * The reports' documents (Estimate Memory, System Info), shown in the Markdown preview. An untitled document behind
 * the preview stayed open as an unsaved tab that asked to be saved when VS Code closed; these never do.
 */
export class ReportDocuments extends ReadOnlyDocuments {
  constructor() {
    super("private-coder-report");
  }

  /** Opens `markdown` in VS Code's Markdown preview under the file name `name`. */
  async showPreview(name: string, markdown: string): Promise<void> {
    await vscode.commands.executeCommand("markdown.showPreview", this.put(name, markdown));
  }
}

function machineLine(m: MachineInfo): string {
  const vram = m.freeVramBytes !== undefined ? vscode.l10n.t(", GPU memory free {0} GB", formatGb(m.freeVramBytes)) : vscode.l10n.t(", no GPU memory reported");
  return vscode.l10n.t("This machine: RAM {0} GB total, {1} GB free{2}.", formatGb(m.totalRamBytes), formatGb(m.freeRamBytes), vram);
}

/** Estimate Memory: the design article's rule-of-thumb table and the catalog's models against this machine. */
export async function estimateMemoryMarkdown(manager: ModelManager): Promise<string> {
  const machine = await manager.machine();
  const lines = [
    `# ${vscode.l10n.t("Private Coder: memory estimate")}`,
    "",
    machineLine(machine),
    "",
    `## ${vscode.l10n.t("Rule of thumb")}`,
    "",
    vscode.l10n.t("Memory ≈ parameters × bits ÷ 8 × 1.2 (20 % for the KV cache and buffers)."),
    "",
    `| ${vscode.l10n.t("Model")} | ${vscode.l10n.t("Bits")} | ${vscode.l10n.t("Memory")} | ${vscode.l10n.t("On this machine")} |`,
    "|---|---|---|---|",
  ];
  for (const row of ruleOfThumbTable()) {
    const verdict = verdictText(fitVerdict(estimateFromParameters(row.parametersBillion, row.bits, 8192), machine));
    lines.push(`| ${row.parametersBillion}B | ${row.bits} | ${formatGb(row.bytes)} GB | ${verdict} |`);
  }
  const local = await manager.refine(await manager.list());
  if (local.length > 0) {
    lines.push("", `## ${vscode.l10n.t("Models on this machine")}`, "", vscode.l10n.t("Estimated by node-llama-cpp from each file's header (weights and KV cache by layer, the GPU layers and the largest context that fit); other rows name the quick estimate used when the engine could not answer."), "");
    lines.push(`| ${vscode.l10n.t("Model")} | ${vscode.l10n.t("Weights")} | ${vscode.l10n.t("KV cache and buffers")} | ${vscode.l10n.t("Context")} | ${vscode.l10n.t("Largest context that fits")} | ${vscode.l10n.t("On this machine")} | ${vscode.l10n.t("Estimate")} |`, "|---|---|---|---|---|---|---|");
    for (const model of local) {
      const e = model.estimate;
      const largest = e.largestContextSize !== undefined ? String(e.largestContextSize) : "–";
      lines.push(`| ${escapeCell(model.label)} | ${formatGb(e.weightsBytes)} GB | ${formatGb(e.kvCacheBytes)} GB | ${e.contextSize} | ${largest} | ${verdictText(model.verdict)} | ${basisText(e.basis)} |`);
    }
  }
  lines.push("", `## ${vscode.l10n.t("Recommended downloads")}`, "", vscode.l10n.t("File size × 1.2, from each file's exact size."), "");
  lines.push(`| ${vscode.l10n.t("Model")} | ${vscode.l10n.t("Role")} | ${vscode.l10n.t("File")} | ${vscode.l10n.t("Memory")} | ${vscode.l10n.t("On this machine")} | ${vscode.l10n.t("Licence")} |`, "|---|---|---|---|---|---|");
  for (const model of manager.catalog()) {
    const verdict = catalogVerdict(model, machine);
    lines.push(`| ${model.label} | ${model.role} | ${formatGb(model.sizeBytes)} GB | ${formatGb(model.sizeBytes * 1.2)} GB | ${verdictText(verdict)} | ${model.license} |`);
  }
  lines.push(
    "",
    vscode.l10n.t("Models that do not fit on the GPU run partly on it: set privateCoder.engine.gpuLayers to the layers that fit and the rest stays on the CPU (CPU offload)."),
  );
  return lines.join("\n");
}

/** Show System Info: device and why, GPUs, memory, threads, loaded models, the binary in use. */
export async function systemInfoMarkdown(manager: ModelManager, status: readonly BackendStatus[] | undefined, settings: { gpu: string; threads: number; gpuLayers: number }): Promise<string> {
  const m = await manager.machine();
  const lines = [`# ${vscode.l10n.t("Private Coder: system info")}`, "", `- ${vscode.l10n.t("OS")}: ${m.platform} ${m.arch}`, `- ${vscode.l10n.t("CPU")}: ${m.cpuModel}, ${m.cpuCount} ${vscode.l10n.t("threads")}`];
  lines.push(`- ${vscode.l10n.t("RAM")}: ${formatGb(m.totalRamBytes)} GB ${vscode.l10n.t("total")}, ${formatGb(m.freeRamBytes)} GB ${vscode.l10n.t("free")}`);
  if (m.gpus.length === 0) lines.push(`- ${vscode.l10n.t("GPU")}: ${vscode.l10n.t("none detected (nvidia-smi, Vulkan loader, Apple Silicon)")}`);
  for (const gpu of m.gpus) {
    const mem = gpu.totalBytes !== undefined ? `, ${formatGb(gpu.totalBytes)} GB ${vscode.l10n.t("total")}, ${formatGb(gpu.freeBytes ?? 0)} GB ${vscode.l10n.t("free")}` : "";
    lines.push(`- ${vscode.l10n.t("GPU")}: ${gpu.name} (${gpu.backend}${mem})`);
  }
  lines.push(`- ${vscode.l10n.t("Settings")}: engine.gpu = ${settings.gpu}, engine.gpuLayers = ${settings.gpuLayers}, engine.threads = ${settings.threads}`, "", `## ${vscode.l10n.t("Engine")}`, "");
  if (!status) lines.push(vscode.l10n.t("The engine is not running (it starts when a model is first used)."));
  for (const s of status ?? []) {
    if (s.facts.device) lines.push(`- ${vscode.l10n.t("Device")}: ${s.facts.device}${s.facts.gpuFallbackReason ? ` — ${vscode.l10n.t("GPU not used: {0}", s.facts.gpuFallbackReason)}` : ""}`);
    if (s.facts.binary) {
      const where = s.facts.binary.source === "localBuild" && s.facts.binary.location ? ` (\`${s.facts.binary.location}\`)` : "";
      lines.push(`- ${vscode.l10n.t("Engine binary")}: ${describeEngineBinary(s.facts.binary, vscode.l10n)}${where}`);
    }
    if (s.facts.residentBytes) lines.push(`- ${vscode.l10n.t("Engine memory")}: ${formatGb(s.facts.residentBytes)} GB`);
    for (const [name, version] of Object.entries(s.facts.versions ?? {})) lines.push(`- ${name}: ${version}`);
    for (const model of s.models) {
      const f = model.facts;
      const details = [f.device, f.threads !== undefined ? `${f.threads} ${vscode.l10n.t("threads")}` : "", f.gpuLayers !== undefined ? `${f.gpuLayers} GPU ${vscode.l10n.t("layers")}` : "", f.fileBytes ? `${formatGb(f.fileBytes)} GB` : "", `${model.contextSize} ${vscode.l10n.t("context")}`];
      lines.push(`- ${vscode.l10n.t("Model")} ${model.name} (${model.roles.join(", ")}): ${details.filter(Boolean).join(", ")}`);
    }
  }
  lines.push("", `## ${vscode.l10n.t("Model folders searched")}`, "");
  for (const root of manager.roots()) lines.push(`- ${root.kind}: \`${root.path}\` (${root.reason})`);
  return lines.join("\n");
}

/** A model's name inside a Markdown table cell (a `|` would split the row). */
function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
