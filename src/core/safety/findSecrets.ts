/**
 * Finds secrets in text: one case-insensitive scan for every rule's keywords (gitleaks' keyword prefilter, done in
 * a single pass instead of one per rule), then each hit is confirmed by its rule at that position with bounded
 * work. Returns spans and rule ids only; turning them into placeholders is the caller's job.
 */
import { isLockfilePath, isPlaceholderValue, isQuotedLiteralLanguage } from "./allowlist.ts";
import { AnchorScanner, type AnchorHit } from "./anchorScan.ts";
import { judgeAssignment } from "./assignments.ts";
import { findKubernetesSecretValues, judgeCurlUser, judgeXmlAddKey } from "./configForms.ts";
import { judgeUrlCredentials } from "./connectionStrings.ts";
import { findPemBlocks } from "./pemBlocks.ts";
import { judgeKeywordAssignment, type KeywordReadCache } from "./providerAssignments.ts";
import { KEYWORD_RULES } from "./providerTokens/keywordRules.ts";
import type { KeywordRule } from "./providerTokens/rule.ts";
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
  ...new Set([
    "private-key",
    ...TOKEN_RULES.map((r) => r.id),
    ...KEYWORD_RULES.map((r) => r.id),
    "kubernetes-secret",
    "connection-string-password",
    "aws-secret-access-key",
    "password",
    "generic-secret",
  ]),
];

const GENERIC_ANCHORS = ["pass", "pwd", "pswd", "secret", "token", "key", "auth", "credential"];
const PEM_BEGIN = "-----begin";
const PEM_END = "-----end";
const URL_ANCHOR = "://";
const XML_ADD_ANCHOR = "<add";
const CURL_ANCHOR = "curl";
const KIND_ANCHOR = "kind:";

const PRIORITY_PEM = 0;
const PRIORITY_TOKEN_BASE = 1;
const PRIORITY_URL = PRIORITY_TOKEN_BASE + TOKEN_RULES.length;
const PRIORITY_KEYWORD = PRIORITY_URL + 1;
const PRIORITY_FORM = PRIORITY_KEYWORD + 1;
const PRIORITY_ASSIGNMENT = PRIORITY_FORM + 1;

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

/** For each provider keyword, the keyword rules gated on it. */
const KEYWORD_RULES_BY_ANCHOR = new Map<string, KeywordRule[]>();
for (const rule of KEYWORD_RULES) {
  for (const k of rule.keywords) KEYWORD_RULES_BY_ANCHOR.set(k, [...(KEYWORD_RULES_BY_ANCHOR.get(k) ?? []), rule]);
}

/**
 * Anchors that hold a generic keyword (`sb_secret_`, `dd_api_key`, `xkeysib-`): the scan reports the longer anchor
 * there, so the generic rule is also run at the keyword's offset inside it when no token was found.
 */
const GENERIC_OFFSET = new Map<string, number>();
for (const anchor of [...RULES_BY_ANCHOR.keys(), ...KEYWORD_RULES_BY_ANCHOR.keys()]) {
  const offsets = GENERIC_ANCHORS.map((g) => anchor.indexOf(g)).filter((i) => i >= 0);
  if (offsets.length > 0) GENERIC_OFFSET.set(anchor, Math.min(...offsets));
}

/** Every anchor of every rule, for the one scan. */
const SCANNER = new AnchorScanner([
  ...RULES_BY_ANCHOR.keys(),
  ...KEYWORD_RULES_BY_ANCHOR.keys(),
  ...GENERIC_ANCHORS,
  PEM_BEGIN,
  PEM_END,
  URL_ANCHOR,
  XML_ADD_ANCHOR,
  CURL_ANCHOR,
  KIND_ANCHOR,
]);

/** The span of `rule`'s token at the anchor hit `hit`, or undefined. */
function tryTokenRule(text: string, hit: number, rule: TokenRule): { start: number; end: number } | undefined {
  const start = hit - (rule.back ?? 0);
  if (start < 0 || (start > 0 && rule.wordChar.test(text[start - 1]))) return undefined;
  rule.pattern.lastIndex = start;
  const m = rule.pattern.exec(text);
  if (!m) return undefined;
  const value = m[0];
  if (isPlaceholderValue(value, { strict: true })) return undefined;
  if (shannonEntropy(value) < rule.minEntropy) return undefined;
  if (rule.validate && !rule.validate(value)) return undefined;
  return { start, end: start + value.length };
}

/** The first of `rules` (in priority order) whose token is at the anchor hit `hit`. */
function findToken(text: string, hit: number, rules: readonly { rule: TokenRule; priority: number }[]): SecretFinding | undefined {
  for (const { rule, priority } of rules) {
    const span = tryTokenRule(text, hit, rule);
    if (span) return { ruleId: rule.id, ...span, priority };
  }
  return undefined;
}

/** Finds every secret in `text`. Findings may overlap; resolve them by `priority`. */
export function findSecrets(text: string, options: FindSecretsOptions = {}): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const begins: number[] = [];
  const ends: number[] = [];
  let identEnd = 0;
  const run = { start: -1, end: -1 };
  const keywordCache: KeywordReadCache = {};
  let k8sDocEnd = 0;
  const generic = !isLockfilePath(options.path);
  const quotedOnly = isQuotedLiteralLanguage(options.path, options.languageId);
  let m: AnchorHit | undefined;
  let from = 0;
  while ((m = SCANNER.next(text, from)) !== undefined) {
    const hit = m.index;
    const anchor = m.anchor;
    from = hit + anchor.length;
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
    if (anchor === XML_ADD_ANCHOR || anchor === CURL_ANCHOR) {
      const f = anchor === CURL_ANCHOR ? judgeCurlUser(text, hit) : judgeXmlAddKey(text, hit);
      if (f) findings.push({ ...f, priority: PRIORITY_FORM });
      continue;
    }
    if (anchor === KIND_ANCHOR) {
      const k = hit >= k8sDocEnd ? findKubernetesSecretValues(text, hit, k8sDocEnd) : undefined;
      if (k) {
        k8sDocEnd = k.docEnd;
        for (const span of k.spans) findings.push({ ruleId: "kubernetes-secret", ...span, priority: PRIORITY_FORM });
      }
      continue;
    }
    let genericAt = hit;
    const rules = RULES_BY_ANCHOR.get(anchor);
    const keywordRules = KEYWORD_RULES_BY_ANCHOR.get(anchor);
    if (rules || keywordRules) {
      const found = rules && findToken(text, hit, rules);
      if (found) {
        findings.push(found);
        continue;
      }
      if (keywordRules) {
        const k = judgeKeywordAssignment(text, hit, keywordRules, keywordCache, quotedOnly);
        if (k) findings.push({ ruleId: k.rule.id, start: k.start, end: k.end, priority: PRIORITY_KEYWORD });
      }
      // A failed anchor may overlap the next one (`skey`: `sk`, then `key`): resume the scan where it can start.
      from = hit + m.resume;
      const offset = GENERIC_OFFSET.get(anchor);
      if (offset === undefined) continue;
      genericAt = hit + offset;
    }
    if (!generic || genericAt < identEnd) continue;
    const judged = judgeAssignment(text, genericAt, run, quotedOnly);
    identEnd = judged.identEnd;
    if (judged.finding) findings.push({ ...judged.finding, priority: PRIORITY_ASSIGNMENT });
  }
  for (const span of findPemBlocks(text, begins, ends)) findings.push({ ruleId: "private-key", ...span, priority: PRIORITY_PEM });
  return findings;
}
