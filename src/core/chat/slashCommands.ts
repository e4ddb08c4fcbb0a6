/**
 * Slash commands of the chat input (`/explain`, `/fix`, `/tests`, `/doc`, `/edit`, `/clear`): parsing what the user
 * typed, and the request text each command sends to the model. Pure: the host resolves the selection, the
 * problems and the test framework, and passes them in already filtered.
 */
import type { SamplingOptions } from "../backend/types.ts";

export const SLASH_COMMANDS = ["explain", "fix", "tests", "doc", "edit", "clear"] as const;
export type SlashCommand = (typeof SLASH_COMMANDS)[number];

export type ParsedSlash =
  | { readonly kind: "command"; readonly command: SlashCommand; readonly rest: string }
  /** `/something` that is not a command: the host says so instead of sending it. */
  | { readonly kind: "unknown"; readonly name: string };

/**
 * The slash command a message starts with, or undefined for an ordinary message. `/` followed by a space, a path
 * (`/usr/bin`) or nothing is text, not a command.
 */
export function parseSlashCommand(text: string): ParsedSlash | undefined {
  const m = /^\s*\/([A-Za-z][\w-]*)(?=\s|$)([\s\S]*)$/.exec(text);
  if (!m) return undefined;
  const name = m[1].toLowerCase();
  const rest = m[2].trim();
  return (SLASH_COMMANDS as readonly string[]).includes(name) ? { kind: "command", command: name as SlashCommand, rest } : { kind: "unknown", name: m[1] };
}

/** Commands whose name starts with `prefix` (completion in the input). */
export function completeSlash(prefix: string): SlashCommand[] {
  const p = prefix.toLowerCase();
  return SLASH_COMMANDS.filter((c) => c.startsWith(p));
}

/** The doc-comment style of a language (`/doc`). */
export function docStyle(languageId: string): string {
  switch (languageId) {
    case "typescript":
    case "typescriptreact":
    case "javascript":
    case "javascriptreact":
      return "a JSDoc comment (/** … */ with @param and @returns)";
    case "python":
      return "a docstring (PEP 257, with Args and Returns sections)";
    case "rust":
      return "/// doc comments (rustdoc, with # Examples where useful)";
    case "go":
      return "a Go doc comment (// lines that start with the name)";
    case "java":
    case "kotlin":
      return "a Javadoc/KDoc comment (/** … */ with @param and @return)";
    case "csharp":
      return "XML documentation comments (/// <summary>, <param>, <returns>)";
    case "c":
    case "cpp":
      return "a Doxygen comment (/** … */ with @brief, @param, @return)";
    case "ruby":
      return "a YARD comment (# lines with @param and @return)";
    case "php":
      return "a PHPDoc comment (/** … */ with @param and @return)";
    default:
      return "the usual doc comment style of the language";
  }
}

/**
 * The test framework of a workspace, from what its manifests say (`/tests`). `files` maps a manifest's name
 * (`package.json`, `pyproject.toml`, `Cargo.toml`, `go.mod`, `pom.xml`, `build.gradle`) to its text.
 */
export function detectTestFramework(languageId: string, files: Readonly<Record<string, string>>): string {
  const pkg = files["package.json"];
  if (pkg !== undefined && /^(typescript|javascript)(react)?$/.test(languageId)) {
    let deps: Record<string, unknown> = {};
    let testScript = "";
    try {
      const parsed = JSON.parse(pkg) as { dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown>; scripts?: Record<string, unknown> };
      deps = { ...parsed.dependencies, ...parsed.devDependencies };
      testScript = typeof parsed.scripts?.test === "string" ? parsed.scripts.test : "";
    } catch {
      // A broken package.json says nothing about the framework.
    }
    for (const [dep, name] of [
      ["vitest", "Vitest"],
      ["jest", "Jest"],
      ["mocha", "Mocha with node:assert"],
      ["ava", "AVA"],
      ["jasmine", "Jasmine"],
    ] as const) {
      if (dep in deps || testScript.includes(dep)) return name;
    }
    if (/node\s+(--[\w-]+\s+)*--test/.test(testScript)) return "node:test with node:assert";
    return "node:test with node:assert";
  }
  switch (languageId) {
    case "python":
      return files["pyproject.toml"]?.includes("unittest") && !files["pyproject.toml"].includes("pytest") ? "unittest" : "pytest";
    case "rust":
      return "Rust's built-in #[test] functions in a #[cfg(test)] module";
    case "go":
      return "Go's testing package (func TestXxx(t *testing.T))";
    case "java":
      return files["pom.xml"]?.includes("testng") ? "TestNG" : "JUnit 5";
    case "kotlin":
      return "JUnit 5 with kotlin.test";
    case "csharp":
      return "xUnit";
    default:
      return "the project's usual test framework";
  }
}

/** What a slash command asks, written before the attachments the host adds (selection, problems). */
export interface SlashRequest {
  readonly command: Exclude<SlashCommand, "clear" | "edit">;
  /** What the user typed after the command (extra instructions); may be empty. */
  readonly rest: string;
  readonly languageId: string;
  /** `/tests`: the framework found in the workspace. */
  readonly testFramework?: string;
}

/** The question text a slash command sends (the code itself travels as attachments). */
export function slashQuestion(request: SlashRequest): string {
  const extra = request.rest ? `\n\n${request.rest}` : "";
  switch (request.command) {
    case "explain":
      return `/explain: Explain the attached code: what it does, how, and anything surprising.${extra}`;
    case "fix":
      return `/fix: Fix the problems listed for the attached code. Show the corrected code in one fenced code block, then say briefly what was wrong.${extra}`;
    case "tests":
      return `/tests: Write unit tests for the attached code using ${request.testFramework ?? "the project's test framework"}. Cover normal cases, edge cases and errors. Put the tests in one fenced code block.${extra}`;
    case "doc":
      return `/doc: Write ${docStyle(request.languageId)} for the attached code. Reply with the code with its doc comment added, in one fenced code block.${extra}`;
  }
}

/** Slash commands whose answer is the attached code rewritten (`slashQuestion` asks for it in one code block). */
const REWRITING_COMMANDS: readonly SlashCommand[] = ["fix", "doc"];

/**
 * Whether the answer to this user turn rewrites the code it carries (Edit Selection, `/fix`, `/doc`): such an answer
 * repeats long runs of that code, which the local engine drafts from (speculative decoding for edits).
 */
export function answerRewritesCode(turn: { readonly text: string; readonly attachments: readonly { readonly kind: string }[] }): boolean {
  if (turn.attachments.some((a) => a.kind === "edit")) return true;
  return REWRITING_COMMANDS.some((command) => turn.text.startsWith(`/${command}:`));
}

/**
 * What the chat request says of the answer to `turn`: its purpose and, for a rewrite, sampling without a repeat
 * penalty, which would push the answer off the identifiers and brackets it must copy from the code (completions
 * run without one for the same reason) and make the drafts from that code fail.
 */
export function answerRequestShape(turn: { readonly text: string; readonly attachments: readonly { readonly kind: string }[] }): { readonly purpose: "chat" | "edit"; readonly sampling?: SamplingOptions } {
  return answerRewritesCode(turn) ? { purpose: "edit", sampling: { repeatPenalty: 1 } } : { purpose: "chat" };
}
