/**
 * Rules for credentials with a recognisable prefix (most modern API tokens). Each rule is found by its anchor (a
 * lower-case literal the combined keyword scan looks for, like gitleaks' keyword prefilter) and then confirmed by a
 * sticky, bounded regex at that exact position, so the cost per hit is constant and a 10 MB line stays linear.
 */

import { CLOUD_TOKEN_RULES } from "./providerTokens/cloud.ts";
import { COMMERCE_TOKEN_RULES } from "./providerTokens/commerce.ts";
import { DEVTOOLS_TOKEN_RULES } from "./providerTokens/devtools.ts";
import { ALNUM, ALNUM_DASH_UNDERSCORE, ALNUM_UNDERSCORE, mixedCase, type TokenRule } from "./providerTokens/rule.ts";

export type { TokenRule } from "./providerTokens/rule.ts";

/** The first families the filter knew, most specific first; the broad `sk-`, `hf_`, `npm_` and JWT shapes come last. */
const CORE_PREFIXED: readonly TokenRule[] = [
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
    anchors: ["glpat-", "gldt-", "glptt-", "glrt-", "gloas-", "glcbt-", "glft-", "glsoat-", "glimt-", "glagent-", "glffct-"],
    // Routable tokens (GitLab 17+) end in `.` and a 9-character suffix.
    pattern: /gl(?:pat|dt|ptt|rt|oas|cbt|ft|soat|imt|agent|ffct)-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?(?![A-Za-z0-9_-])/y,
    wordChar: ALNUM_DASH_UNDERSCORE,
    minEntropy: 3.0,
  },
  {
    id: "slack-token",
    anchors: ["xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "xoxe-", "xoxe.", "xapp-"],
    pattern: /(?:xox(?:[abposr]|e(?:\.xox[bp])?)|xapp)-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/y,
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
];

const CORE_BROAD: readonly TokenRule[] = [
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

/**
 * Ordered by priority: when two rules match the same text, the earlier (more specific) one names it, and at an
 * anchor that starts with another rule's anchor (`sk-or-v1-` and `sk-`) the earlier rule is tried first.
 */
export const TOKEN_RULES: readonly TokenRule[] = [...CORE_PREFIXED, ...CLOUD_TOKEN_RULES, ...DEVTOOLS_TOKEN_RULES, ...COMMERCE_TOKEN_RULES, ...CORE_BROAD];
