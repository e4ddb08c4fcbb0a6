/**
 * Finds secrets in text: one case-insensitive scan for every rule's keywords (gitleaks' keyword prefilter, done in
 * a single pass instead of one per rule), then each hit is confirmed by its rule at that position with bounded
 * work. Returns spans and rule ids only; turning them into placeholders is the caller's job.
 */
import { isLockfilePath, isPlaceholderValue, isQuotedLiteralLanguage } from "./allowlist.ts";
import { judgeAssignment } from "./assignments.ts";
import { judgeUrlCredentials } from "./connectionStrings.ts";
import { findPemBlocks } from "./pemBlocks.ts";
import { shannonEntropy } from "./text.ts";
import { TOKEN_RULES, type TokenRule } from "./tokenRules.ts";

export interface SecretFinding {
  readonly ruleId: string;
  readonly start: number;
  readonly end: number;
  /** Lower wins when two findings overlap. */
  readonly priority: number;
}

export interface FindSecretsOptions {
  /** Path of the text: lockfiles skip the generic rule, source files only have quoted values judged. */
  readonly path?: string;
  /** VS Code language id, for the same purpose when there is no path (or an untitled buffer). */
  readonly languageId?: string;
}

/** Every rule id this module can report, for docs and tests. */
export const SECRET_RULE_IDS: readonly string[] = [
  "private-key",
  ...TOKEN_RULES.map((r) => r.id),
  "connection-string-password",
  "aws-secret-access-key",
  "password",
  "generic-secret",
];

const GENERIC_ANCHORS = ["pass", "pwd", "pswd", "secret", "token", "key", "auth", "credential"];
const PEM_BEGIN = "-----begin";
const PEM_END = "-----end";
const URL_ANCHOR = "://";

const PRIORITY_PEM = 0;
const PRIORITY_TOKEN_BASE = 1;
const PRIORITY_URL = PRIORITY_TOKEN_BASE + TOKEN_RULES.length;
const PRIORITY_ASSIGNMENT = PRIORITY_URL + 1;

/** For each anchor the scan can report, the token rules to try there, most specific first. */
const RULES_BY_ANCHOR = new Map<string, { rule: TokenRule; priority: number }[]>();
{
  const all = TOKEN_RULES.flatMap((r) => r.anchors);
  for (const anchor of all) {
    const list: { rule: TokenRule; priority: number }[] = [];
    TOKEN_RULES.forEach((rule, i) => {
      if (rule.anchors.some((a) => anchor.startsWith(a))) list.push({ rule, priority: PRIORITY_TOKEN_BASE + i });
    });
    RULES_BY_ANCHOR.set(anchor, list);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** All anchors, longest first so `sk-ant-` wins over `sk-` at the same position. */
const ANCHOR_RE = new RegExp(
  [...new Set([...RULES_BY_ANCHOR.keys(), ...GENERIC_ANCHORS, PEM_BEGIN, PEM_END, URL_ANCHOR])]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|"),
  "gi",
);


function tryTokenRule(text: string, hit: number, rule: TokenRule): number {
  if (hit > 0 && rule.wordChar.test(text[hit - 1])) return -1;
  rule.pattern.lastIndex = hit;
  const m = rule.pattern.exec(text);
  if (!m) return -1;
  const value = m[0];
  if (isPlaceholderValue(value, { strict: true })) return -1;
  if (shannonEntropy(value) < rule.minEntropy) return -1;
  if (rule.validate && !rule.validate(value)) return -1;
  return hit + value.length;
}

/** Finds every secret in `text`. Findings may overlap; resolve them by `priority`. */
export function findSecrets(text: string, options: FindSecretsOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const begins: number[] = [];
  const ends: number[] = [];
  let identEnd = 0;
  const run = { start: -1, end: -1 };
  const generic = !isLockfilePath(options.path);
  const quotedOnly = isQuotedLiteralLanguage(options.path, options.languageId);
  const re = new RegExp(ANCHOR_RE.source, ANCHOR_RE.flags);
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const hit = m.index;
    const anchor = m[0].toLowerCase();
    if (anchor === PEM_BEGIN) {
      begins.push(hit);
      continue;
    }
    if (anchor === PEM_END) {
      ends.push(hit);
      continue;
    }
    if (anchor === URL_ANCHOR) {
      if (!generic) continue;
      const span = judgeUrlCredentials(text, hit);
      if (span) findings.push({ ruleId: "connection-string-password", ...span, priority: PRIORITY_URL });
      continue;
    }
    const rules = RULES_BY_ANCHOR.get(anchor);
    if (rules) {
      for (const { rule, priority } of rules) {
        const end = tryTokenRule(text, hit, rule);
        if (end !== -1) {
          findings.push({ ruleId: rule.id, start: hit, end, priority });
          break;
        }
      }
      // A token anchor can also be the start of a name (`sk-test = …` is rare; `github_pat_x = …` rarer): the
      // generic keywords inside it (`token`, `key`) are scanned separately, so nothing more to do here.
      continue;
    }
    if (!generic || hit < identEnd) continue;
    const judged = judgeAssignment(text, hit, run, quotedOnly);
    identEnd = judged.identEnd;
    if (judged.finding) findings.push({ ...judged.finding, priority: PRIORITY_ASSIGNMENT });
  }
  for (const span of findPemBlocks(text, begins, ends)) findings.push({ ruleId: "private-key", ...span, priority: PRIORITY_PEM });
  return findings;
}
