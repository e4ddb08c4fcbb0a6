/** Adapts `vscode.TextDocument` to the pipeline's document (lines on demand, never the whole text). */
import * as vscode from "vscode";
import type { DocumentLocation, PipelineDocument } from "../../core/completion/index.ts";

export function documentLocation(uri: vscode.Uri): DocumentLocation {
  if (uri.scheme === "untitled") return { scheme: uri.scheme, path: undefined };
  return { scheme: uri.scheme, path: uri.scheme === "file" ? uri.fsPath : uri.path };
}

/** Workspace-relative path, prefixed with the folder's name in a multi-root workspace (every folder counts). */
export function relativePath(uri: vscode.Uri): string {
  if (uri.scheme === "untitled") return uri.path;
  const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  return vscode.workspace.asRelativePath(uri, multiRoot);
}

export function pipelineDocument(document: vscode.TextDocument): PipelineDocument {
  return {
    id: document.uri.toString(),
    location: documentLocation(document.uri),
    languageId: document.languageId,
    relativePath: document.uri.scheme === "untitled" ? undefined : relativePath(document.uri),
    lineCount: document.lineCount,
    lineAt: (line: number) => document.lineAt(line).text,
  };
}
