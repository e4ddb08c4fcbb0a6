/**
 * `@changes`: the working tree's uncommitted changes as a unified diff, through VS Code's built-in Git extension
 * (its public API, version 1). Sections of files the safety settings exclude are left out before anything else
 * sees the text.
 */
import * as vscode from "vscode";

interface GitRepository {
  readonly rootUri: vscode.Uri;
  diff(cached?: boolean): Promise<string>;
}
interface GitApi {
  readonly repositories: readonly GitRepository[];
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

export type ChangesResult =
  | { readonly ok: true; readonly diff: string; readonly excludedFiles: number; readonly root: vscode.Uri }
  | { readonly ok: false; readonly reason: "noGit" | "noRepository" | "noChanges" | "failed"; readonly message?: string };

/** The uncommitted changes of the repository holding `near` (or the first one), excluded files left out. */
export async function workingTreeChanges(near: vscode.Uri | undefined, isExcluded: (uri: vscode.Uri) => Promise<boolean>): Promise<ChangesResult> {
  const extension = vscode.extensions.getExtension<GitExtension>("vscode.git");
  if (!extension) return { ok: false, reason: "noGit" };
  let api: GitApi;
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    if (!exports.enabled) return { ok: false, reason: "noGit" };
    api = exports.getAPI(1);
  } catch (error) {
    return { ok: false, reason: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  const repos = api.repositories;
  const repo = (near && repos.find((r) => near.fsPath.startsWith(r.rootUri.fsPath))) ?? repos[0];
  if (!repo) return { ok: false, reason: "noRepository" };
  let diff: string;
  try {
    // Unstaged and staged: what is uncommitted.
    diff = [await repo.diff(true), await repo.diff(false)].filter((d) => d.trim() !== "").join("\n");
  } catch (error) {
    return { ok: false, reason: "failed", message: error instanceof Error ? error.message : String(error) };
  }
  if (diff.trim() === "") return { ok: false, reason: "noChanges" };
  const kept: string[] = [];
  let excludedFiles = 0;
  for (const section of splitDiff(diff)) {
    const file = /^diff --git a\/(.+?) b\/(.+)$/m.exec(section);
    const paths = file ? [file[1], file[2]] : [];
    let excluded = false;
    for (const p of paths) if (await isExcluded(vscode.Uri.joinPath(repo.rootUri, p))) excluded = true;
    if (excluded) excludedFiles++;
    else kept.push(section);
  }
  return { ok: true, diff: kept.join("\n"), excludedFiles, root: repo.rootUri };
}

/** A unified diff split into one section per file. */
export function splitDiff(diff: string): string[] {
  const sections: string[] = [];
  for (const part of diff.split(/^(?=diff --git )/m)) if (part.trim() !== "") sections.push(part.replace(/\n$/, ""));
  return sections;
}
