import * as vscode from "vscode";
import type { CatalogModel } from "../../core/models/catalog.ts";
import { formatGb, type FitVerdict, type MemoryEstimate } from "../../core/models/fit.ts";
import type { ListedModel } from "./modelLister.ts";

/** "fits in RAM, ~1.1 GB" / "fits on GPU: 28/28 layers" / "too big: needs 9.8 GB, you have 7.6 GB free". */
export function verdictText(verdict: FitVerdict): string {
  switch (verdict.kind) {
    case "gpu":
      return verdict.totalLayers > 0
        ? vscode.l10n.t("fits on GPU: {0}/{1} layers, ~{2} GB", verdict.layers, verdict.totalLayers, formatGb(verdict.needBytes))
        : vscode.l10n.t("fits on GPU, ~{0} GB", formatGb(verdict.needBytes));
    case "partialGpu":
      return vscode.l10n.t("partly on GPU: {0}/{1} layers, the rest in RAM (~{2} GB)", verdict.layers, verdict.totalLayers, formatGb(verdict.needBytes));
    case "ram":
      return vscode.l10n.t("fits in RAM, ~{0} GB", formatGb(verdict.needBytes));
    case "tight":
      return vscode.l10n.t("tight: needs {0} GB, you have {1} GB free", formatGb(verdict.needBytes), formatGb(verdict.freeBytes));
    case "tooBig":
      return vscode.l10n.t("too big: needs {0} GB, you have {1} GB free", formatGb(verdict.needBytes), formatGb(verdict.freeBytes));
  }
}

export function verdictIcon(verdict: FitVerdict): string {
  return verdict.kind === "tooBig" ? "$(error)" : verdict.kind === "tight" ? "$(warning)" : "$(pass)";
}

const SOURCE_NAMES: Record<string, string> = { file: "", ollama: "Ollama", lmstudio: "LM Studio", "hf-cache": "Hugging Face cache", "llama-cache": "llama.cpp cache" };

/** `1.6 GB · Q8_0 · 32k context · FIM` for a model on disk. */
export function localFacts(model: ListedModel): string {
  const parts = [`${formatGb(model.sizeBytes)} GB`];
  const s = model.summary;
  if (s?.quantization) parts.push(s.quantization);
  if (s?.contextLength) parts.push(vscode.l10n.t("{0}k context", Math.round(s.contextLength / 1024)));
  parts.push(s?.fim ? vscode.l10n.t("FIM") : vscode.l10n.t("no FIM (chat only)"));
  const source = SOURCE_NAMES[model.source];
  if (source) parts.push(source);
  return parts.join(" · ");
}

export function catalogFacts(model: CatalogModel): string {
  const role = model.role === "completion" ? vscode.l10n.t("completion (FIM)") : model.role === "chat" ? vscode.l10n.t("chat") : vscode.l10n.t("completion and chat");
  return [`${formatGb(model.sizeBytes)} GB`, model.quantization, role, vscode.l10n.t("licence {0}", model.license)].join(" · ");
}

/** Which source an estimate came from, shown with every verdict. */
export function basisText(basis: MemoryEstimate["basis"]): string {
  const texts: Record<MemoryEstimate["basis"], string> = {
    loader: vscode.l10n.t("estimated by node-llama-cpp"),
    header: vscode.l10n.t("quick estimate from the header"),
    fileSize: vscode.l10n.t("rule of thumb: file size × 1.2"),
    ruleOfThumb: vscode.l10n.t("rule of thumb: parameters × bits / 8 × 1.2"),
  };
  return texts[basis];
}

/** "fits in RAM, ~1.1 GB · up to 32k context · estimated by node-llama-cpp". */
export function localDetail(model: ListedModel): string {
  const parts = [verdictText(model.verdict)];
  const largest = model.estimate.largestContextSize;
  if (model.estimate.basis === "loader" && largest) parts.push(vscode.l10n.t("up to {0}k context", Math.floor(largest / 1024)));
  parts.push(basisText(model.estimate.basis));
  return parts.join(" · ");
}
