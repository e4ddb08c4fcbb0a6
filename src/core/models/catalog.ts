/**
 * The built-in catalog of recommended downloads (`catalog.json`, a data file): each entry names a Hugging Face file
 * at a pinned revision with its exact size and SHA-256, its role and licence, and where those facts come from.
 * `validateCatalog` is the schema (the unit tests run it on the shipped file); `downloadUrl` builds the URL against
 * the configured endpoint (a mirror, or 127.0.0.1 in tests).
 */
import catalogData from "./catalog.json";

export type CatalogRole = "completion" | "chat" | "both";

export interface CatalogModel {
  readonly id: string;
  readonly label: string;
  readonly role: CatalogRole;
  /** The vocabulary has FIM tokens (inline completion). */
  readonly fim: boolean;
  /** Nominal size as the model's name gives it ("1.5B"). */
  readonly parameters: string;
  readonly quantization: string;
  readonly repo: string;
  /** A commit, or `main` where the catalog could not pin one (then `verifyAtDownload` contains "revision"). */
  readonly revision: string;
  readonly file: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly license: string;
  /** Where size and SHA-256 come from. */
  readonly source: string;
  readonly verifyAtDownload?: readonly string[];
}

/** `hf:<repo>/<file>` as the user would type it. */
export function hfUri(model: Pick<CatalogModel, "repo" | "file">): string {
  return `hf:${model.repo}/${model.file}`;
}

/** `{endpoint}/{repo}/resolve/{revision}/{file}` (huggingface_hub's URL scheme). */
export function downloadUrl(model: Pick<CatalogModel, "repo" | "revision" | "file">, endpoint = "https://huggingface.co"): string {
  const base = endpoint.replace(/\/+$/, "");
  return `${base}/${model.repo}/resolve/${encodeURIComponent(model.revision)}/${model.file.split("/").map(encodeURIComponent).join("/")}`;
}

/** The problems of one entry (empty when it is valid). */
export function entryProblems(entry: unknown): string[] {
  const problems: string[] = [];
  if (typeof entry !== "object" || entry === null) return ["not an object"];
  const e = entry as Record<string, unknown>;
  const text = (key: string, pattern?: RegExp) => {
    const value = e[key];
    if (typeof value !== "string" || value === "") problems.push(`${key} missing`);
    else if (pattern && !pattern.test(value)) problems.push(`${key} malformed: ${value}`);
  };
  text("id", /^[a-z0-9._-]+$/);
  text("label");
  text("parameters", /^\d+(\.\d+)?B$/);
  text("quantization");
  text("repo", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  text("revision", /^([0-9a-f]{40}|main)$/);
  text("file", /^[^\\]+\.gguf$/);
  text("sha256", /^[0-9a-f]{64}$/);
  text("license");
  text("source");
  if (!["completion", "chat", "both"].includes(e.role as string)) problems.push("role must be completion, chat or both");
  if (typeof e.fim !== "boolean") problems.push("fim missing");
  if (typeof e.sizeBytes !== "number" || !Number.isSafeInteger(e.sizeBytes) || e.sizeBytes <= 0) problems.push("sizeBytes must be a positive integer");
  if (e.role !== "chat" && e.fim !== true) problems.push("a completion model needs FIM tokens");
  if (e.revision === "main" && !(Array.isArray(e.verifyAtDownload) && e.verifyAtDownload.includes("revision"))) problems.push("an unpinned revision must be marked verifyAtDownload");
  if (typeof e.file === "string" && e.file.split("/").includes("..")) problems.push("file must stay inside the repository");
  return problems;
}

/** Checks a whole catalog document; throws with every problem listed. */
export function validateCatalog(doc: unknown): readonly CatalogModel[] {
  const models = (doc as { models?: unknown })?.models;
  if (!Array.isArray(models)) throw new Error("catalog: models must be an array");
  const problems: string[] = [];
  const ids = new Set<string>();
  models.forEach((entry, i) => {
    for (const p of entryProblems(entry)) problems.push(`models[${i}]: ${p}`);
    const id = (entry as { id?: string })?.id;
    if (id && ids.has(id)) problems.push(`models[${i}]: duplicate id ${id}`);
    if (id) ids.add(id);
  });
  if (problems.length > 0) throw new Error(`catalog: ${problems.join("; ")}`);
  return models as CatalogModel[];
}

/** The shipped catalog, validated once. */
export const CATALOG: readonly CatalogModel[] = validateCatalog(catalogData);

export function servesRole(model: CatalogModel, role: "completion" | "chat"): boolean {
  return model.role === "both" || model.role === role;
}
