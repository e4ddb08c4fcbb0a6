/**
 * Rules for credentials with a recognisable prefix (most modern API tokens). Each rule is found by its anchor (a
 * lower-case literal the combined keyword scan looks for, like gitleaks' keyword prefilter) and then confirmed by a
 * sticky, bounded regex at that exact position, so the cost per hit is constant and a 10 MB line stays linear.
 */

export interface TokenRule {
  readonly id: string;
  /** Lower-case literals where a token of this rule starts. */
  readonly anchors: readonly string[];
  /** Sticky (`y`) regex matched at the anchor; the whole match is the secret. Every quantifier is bounded. */
  readonly pattern: RegExp;
  /** Characters a token is made of: an anchor right after one of them is in the middle of a longer word. */
  readonly wordChar: RegExp;
  /** Minimum Shannon entropy (bits/char) of the match; below it the match is a made-up or repeated value. */
  readonly minEntropy: number;
  /** Extra check on the match, e.g. the mix of character classes a generated key always has. */
  readonly validate?: (value: string) => boolean;
}

const ALNUM = /[A-Za-z0-9]/;
const ALNUM_UNDERSCORE = /[A-Za-z0-9_]/;
const ALNUM_DASH_UNDERSCORE = /[A-Za-z0-9_-]/;

/** A generated key of 20+ characters has upper case, lower case and digits; prose and CSS class names do not. */
function mixedCase(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

/** Ordered by priority: when two rules match the same text, the earlier (more specific) one names it. */
export const TOKEN_RULES: readonly TokenRule[] = [
  {
    id: "aws-access-key-id",
    anchors: ["akia", "asia", "abia", "acca", "a3t"],
    pattern: /(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])/y,
    wordChar: ALNUM,
    minEntropy: 3.0,
  },
  {
    id: "github-token",
    anchors: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,251})(?![A-Za-z0-9_])/y,
    wordChar: ALNUM_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "gitlab-token",
    anchors: ["glpat-", "gldt-", "glptt-", "glrt-", "gloas-", "glcbt-", "glft-", "glsoat-", "glimt-", "glagent-"],
    pattern: /gl(?:pat|dt|ptt|rt|oas|cbt|ft|soat|imt|agent)-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "slack-token",
    anchors: ["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe."],
    pattern: /xox(?:[abposr]|e(?:\.xox[bp])?)-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "slack-webhook",
    anchors: ["hooks.slack.com/"],
    pattern: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{20,120}/y,
    wordChar: /[A-Za-z0-9_.]/,
    minEntropy: 3.0,
  },
  {
    id: "stripe-key",
    anchors: ["sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_", "whsec_"],
    pattern: /(?:[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9+/=]{24,100})(?![A-Za-z0-9])/y,
    wordChar: ALNUM_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "google-api-key",
    anchors: ["aiza"],
    pattern: /AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "anthropic-api-key",
    anchors: ["sk-ant-"],
    pattern: /sk-ant-(?:api|admin|sid|oat|ort)\d{2}-[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "openai-api-key",
    anchors: ["sk-"],
    pattern: /sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{32,300}(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.5,
    validate: mixedCase,
  },
  {
    id: "huggingface-token",
    anchors: ["hf_"],
    pattern: /hf_[A-Za-z]{34}(?![A-Za-z0-9_])/y,
    wordChar: ALNUM_UNDERSCORE,
    minEntropy: 3.5,
    validate: (v) => /[a-z]/.test(v) && /[A-Z]/.test(v),
  },
  {
    id: "npm-token",
    anchors: ["npm_"],
    pattern: /npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y,
    wordChar: ALNUM_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "jwt",
    anchors: ["eyj"],
    // header.payload.signature, each base64url; the signature may be empty (`alg: none`).
    pattern: /eyJ[A-Za-z0-9_-]{10,4096}\.eyJ[A-Za-z0-9_-]{10,16384}\.[A-Za-z0-9_-]{0,4096}(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
];
