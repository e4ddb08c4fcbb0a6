/**
 * The @-items of a chat message (`@file`, `@selection`, `@problems`, `@changes`, `@terminal`, `@symbol`) turned
 * into attachments, and the completion lists the input offers as the user types. Every text goes through the
 * safety filter (`ModelInput`) with its item's budget; an item that cannot be attached (excluded, deleted, binary,
 * no selection…) is reported in words and nothing of it is sent.
 */
import * as vscode from "vscode";
import path from "node:path";
import type { MentionItemView } from "../../core/chatProtocol.ts";
import type { StoredAttachment } from "../../core/chat/conversation.ts";
import { formatDiagnostics, fuzzyScore, type DiagnosticLine, type Mention } from "../../core/chat/mentions.ts";
import type { EditorContext } from "./editorContext.ts";
import { workingTreeChanges } from "./gitChanges.ts";
import type { FilteredPiece, ModelInput } from "./modelInput.ts";
import { plainTerminalText, TerminalOutput } from "./terminalOutput.ts";

/** Files larger than this are not attached (a model cannot read them anyway). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const FILE_LIST_TTL_MS = 10_000;

export interface ResolvedItems {
  readonly attachments: StoredAttachment[];
  /** Items that could not be attached, each a sentence. */
  readonly errors: string[];
  /** Items that were attached but cut to their budget, each a sentence. */
  readonly cut: string[];
}

const SEVERITY: Record<vscode.DiagnosticSeverity, DiagnosticLine["severity"]> = {
  [vscode.DiagnosticSeverity.Error]: "error",
  [vscode.DiagnosticSeverity.Warning]: "warning",
  [vscode.DiagnosticSeverity.Information]: "info",
  [vscode.DiagnosticSeverity.Hint]: "hint",
};

export class ContextItems implements vscode.Disposable {
  readonly terminal = new TerminalOutput();
  private files: { at: number; list: Promise<vscode.Uri[]> } | undefined;

  constructor(
    private readonly input: ModelInput,
    private readonly editor: EditorContext,
  ) {}

  /** The attachments for `mentions`, each cut to `budgetChars`. */
  async resolve(mentions: readonly Mention[], budgetChars: number): Promise<ResolvedItems> {
    const out: ResolvedItems = { attachments: [], errors: [], cut: [] };
    for (const mention of mentions) {
      try {
        const result = await this.resolveOne(mention, budgetChars);
        if (typeof result === "string") out.errors.push(result);
        else {
          out.attachments.push(result.attachment);
          if (result.cut) out.cut.push(vscode.l10n.t("{0} was cut to fit the context ({1} of {2} characters).", result.attachment.label, result.cut.kept, result.cut.total));
        }
      } catch (error) {
        out.errors.push(vscode.l10n.t("@{0} could not be read: {1}", mention.kind, error instanceof Error ? error.message : String(error)));
      }
    }
    return out;
  }

  /** A piece that passed the filter, or the sentence saying why it did not. */
  attach(kind: StoredAttachment["kind"], label: string, piece: FilteredPiece, language?: string): { attachment: StoredAttachment; cut?: { kept: number; total: number } } | string {
    if (piece.refused) return vscode.l10n.t("{0} cannot be attached: {1}.", label, piece.refused);
    const r = piece.result;
    return {
      attachment: { kind, label, text: r.text, redactions: r.redactions.length, ...(language ? { language } : {}) },
      ...(r.truncation ? { cut: { kept: r.truncation.keptLength, total: r.truncation.originalLength } } : {}),
    };
  }

  private async resolveOne(mention: Mention, budget: number): Promise<ReturnType<ContextItems["attach"]>> {
    const editor = this.editor.lastEditor;
    switch (mention.kind) {
      case "file":
        return this.file(mention.arg, budget);
      case "selection": {
        if (!editor || editor.selection.isEmpty) return vscode.l10n.t("@selection: nothing is selected in the editor.");
        const doc = editor.document;
        const label = `${vscode.workspace.asRelativePath(doc.uri, false)}:${editor.selection.start.line + 1}-${editor.selection.end.line + 1}`;
        return this.attach("selection", label, await this.input.contextText(doc.getText(editor.selection), "chat", budget, doc.uri, doc.languageId), doc.languageId);
      }
      case "problems":
        if (!editor) return vscode.l10n.t("@problems: open the file whose problems you mean.");
        return this.problems(editor.document, budget);
      case "changes": {
        const changes = await workingTreeChanges(editor?.document.uri ?? vscode.workspace.workspaceFolders?.[0]?.uri, (uri) => this.input.isExcluded(uri));
        if (!changes.ok) {
          const why = {
            noGit: vscode.l10n.t("@changes: the Git extension is not available."),
            noRepository: vscode.l10n.t("@changes: no Git repository is open."),
            noChanges: vscode.l10n.t("@changes: there are no uncommitted changes."),
            failed: vscode.l10n.t("@changes: Git could not give the changes ({0}).", changes.message ?? ""),
          };
          return why[changes.reason];
        }
        const note = changes.excludedFiles > 0 ? `[${changes.excludedFiles} file(s) excluded by the safety settings are left out]\n` : "";
        return this.attach("changes", path.basename(changes.root.fsPath), await this.input.contextText(note + changes.diff, "chat", budget), "diff");
      }
      case "terminal": {
        const last = this.terminal.lastCommand();
        if (!last) {
          return this.terminal.available
            ? vscode.l10n.t("@terminal: no command has finished in the active terminal since Private Coder started.")
            : vscode.l10n.t("@terminal: the active terminal has no shell integration, so its output cannot be read.");
        }
        // VS Code hands an extension only what a command writes after its start was reported: a very fast command's
        // output can be lost. Say so (to the model and, through the chip, the user) rather than send an empty output.
        const captured = plainTerminalText(last.output);
        const output = captured.trim() === "" ? "[no output was captured: VS Code gives extensions only what a command writes after it has started]" : captured;
        const text = `$ ${last.commandLine}\n${output}${last.exitCode !== undefined ? `\n[exit code ${last.exitCode}]` : ""}`;
        // Keep the end of a long output: errors come last.
        const tail = text.length > budget ? `[… earlier output left out …]\n${text.slice(-budget + 40)}` : text;
        return this.attach("terminal", "", await this.input.contextText(tail, "chat", budget));
      }
      case "symbol":
        return this.symbol(mention.arg, budget);
    }
  }

  /** The diagnostics of `doc` (those on `range` when it has any there), with their lines of code. */
  async problems(doc: vscode.TextDocument, budget: number, range?: vscode.Range): Promise<ReturnType<ContextItems["attach"]>> {
    let all = vscode.languages.getDiagnostics(doc.uri);
    const inRange = range ? all.filter((d) => d.range.intersection(range) !== undefined) : [];
    if (inRange.length > 0) all = inRange;
    const diagnostics = all.map<DiagnosticLine>((d) => ({
      line: d.range.start.line,
      severity: SEVERITY[d.severity],
      message: d.message,
      ...(d.source ? { source: d.source } : {}),
      ...(d.range.start.line < doc.lineCount ? { code: doc.lineAt(d.range.start.line).text } : {}),
    }));
    const label = vscode.workspace.asRelativePath(doc.uri, false);
    return this.attach("problems", label, await this.input.contextText(formatDiagnostics(diagnostics), "chat", budget, doc.uri));
  }

  private async file(arg: string, budget: number): Promise<ReturnType<ContextItems["attach"]>> {
    const uri = await this.findFile(arg);
    if (!uri) return vscode.l10n.t("@file:{0}: no such file in the workspace.", arg);
    const label = vscode.workspace.asRelativePath(uri, false);
    if (await this.input.isExcluded(uri)) return vscode.l10n.t("{0} cannot be attached: it is excluded from the model by the safety settings.", label);
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      return vscode.l10n.t("@file:{0}: the file no longer exists.", arg);
    }
    if (stat.type & vscode.FileType.Directory) return vscode.l10n.t("@file:{0} is a folder; name a file.", arg);
    if (stat.size > MAX_FILE_BYTES) return vscode.l10n.t("{0} is too large to attach ({1} MB).", label, (stat.size / 1024 / 1024).toFixed(1));
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.subarray(0, 8000).includes(0)) return vscode.l10n.t("{0} is a binary file; only text can be attached.", label);
    const doc = await vscode.workspace.openTextDocument(uri);
    return this.attach("file", label, await this.input.contextText(doc.getText(), "chat", budget, uri, doc.languageId), doc.languageId);
  }

  /** A workspace file from what was typed: a relative path, or the best fuzzy match of it. */
  private async findFile(arg: string): Promise<vscode.Uri | undefined> {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const uri = vscode.Uri.joinPath(folder.uri, arg);
      try {
        await vscode.workspace.fs.stat(uri);
        return uri;
      } catch {
        // Not in this folder.
      }
    }
    const ranked = await this.rankedFiles(arg, 1);
    return ranked[0];
  }

  private async symbol(name: string, budget: number): Promise<ReturnType<ContextItems["attach"]>> {
    const editor = this.editor.lastEditor;
    if (!editor) return vscode.l10n.t("@symbol: open the file that defines {0}.", name);
    const doc = editor.document;
    const symbols = flatten((await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>("vscode.executeDocumentSymbolProvider", doc.uri)) ?? []);
    const found = symbols.find((s) => s.name === name) ?? symbols.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!found) return vscode.l10n.t("@symbol:{0}: no such symbol in {1}.", name, vscode.workspace.asRelativePath(doc.uri, false));
    const label = `${found.name} (${vscode.workspace.asRelativePath(doc.uri, false)}:${found.range.start.line + 1})`;
    return this.attach("symbol", label, await this.input.contextText(doc.getText(found.range), "chat", budget, doc.uri, doc.languageId), doc.languageId);
  }

  /** Completion of `@file:` / `@symbol:` as the user types. Excluded files are never offered. */
  async complete(kind: "file" | "symbol", query: string): Promise<MentionItemView[]> {
    if (kind === "file") {
      const files = await this.rankedFiles(query, 20);
      return files.map((uri) => {
        const rel = vscode.workspace.asRelativePath(uri, false);
        return { label: rel, detail: path.dirname(rel) === "." ? "" : path.dirname(rel) };
      });
    }
    const editor = this.editor.lastEditor;
    if (!editor) return [];
    const symbols = flatten((await vscode.commands.executeCommand<vscode.DocumentSymbol[] | undefined>("vscode.executeDocumentSymbolProvider", editor.document.uri)) ?? []);
    return symbols
      .map((s) => ({ s, score: fuzzyScore(query, s.name) }))
      .filter((x) => x.score !== undefined)
      .sort((a, b) => (a.score ?? 0) - (b.score ?? 0))
      .slice(0, 30)
      .map(({ s }) => ({ label: s.name, detail: `${vscode.SymbolKind[s.kind]} · ${s.range.start.line + 1}` }));
  }

  private async rankedFiles(query: string, limit: number): Promise<vscode.Uri[]> {
    if (!this.files || Date.now() - this.files.at > FILE_LIST_TTL_MS) {
      this.files = { at: Date.now(), list: Promise.resolve(vscode.workspace.findFiles("**/*", undefined, 20_000)) };
    }
    const ranked = (await this.files.list)
      .map((uri) => ({ uri, score: fuzzyScore(query, vscode.workspace.asRelativePath(uri, false)) }))
      .filter((x) => x.score !== undefined)
      .sort((a, b) => (a.score ?? 0) - (b.score ?? 0));
    const out: vscode.Uri[] = [];
    for (const { uri } of ranked) {
      if (out.length >= limit) break;
      if (!(await this.input.isExcluded(uri))) out.push(uri);
    }
    return out;
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

function flatten(symbols: readonly vscode.DocumentSymbol[]): vscode.DocumentSymbol[] {
  // A provider may return SymbolInformation (no children) instead: both have name, kind and a range.
  return symbols.flatMap((s) => [s, ...flatten(s.children ?? [])]).map((s) => ("range" in s ? s : ({ ...(s as object), range: (s as unknown as vscode.SymbolInformation).location.range } as vscode.DocumentSymbol)));
}
