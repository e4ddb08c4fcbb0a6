/**
 * Prefixed credentials of cloud platforms, infrastructure, secret stores, observability and AI services. Ids and
 * formats follow gitleaks' default rules (config/gitleaks.toml) and the providers' documented token prefixes.
 */
import { ALNUM, ALNUM_UNDERSCORE, lettersAndDigits, token, twoClasses, type TokenRule } from "./rule.ts";

export const CLOUD_TOKEN_RULES: readonly TokenRule[] = [
  token("aws-bedrock-api-key", ["absk", "bedrock-api-key-"], /(?:ABSK[A-Za-z0-9+/]{109,269}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=]{20,4000})(?![A-Za-z0-9+/=])/y, { wordChar: ALNUM }),
  // `abc8Q~…`: three characters and a digit come before the `Q~` marker.
  token("azure-ad-client-secret", ["q~"], /[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34}(?![a-zA-Z0-9_~.-])/y, { back: 4, wordChar: /[a-zA-Z0-9_~.-]/, validate: lettersAndDigits }),
  token("google-oauth-secret", ["gocspx-", "ya29."], /(?:GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[A-Za-z0-9_-]{30,2000})(?![A-Za-z0-9_-])/y, { validate: twoClasses }),
  token("alibaba-access-key-id", ["ltai"], /LTAI[A-Za-z0-9]{20}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: twoClasses }),
  token("tencent-secret-id", ["akid"], /AKID[A-Za-z0-9]{32}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: twoClasses }),
  token("digitalocean-token", ["doo_v1_", "dop_v1_", "dor_v1_"], /do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9_])/y, { wordChar: ALNUM_UNDERSCORE }),
  token("heroku-api-key", ["hrku-aa"], /HRKU-AA[A-Za-z0-9_-]{58}(?![A-Za-z0-9_-])/y),
  token("flyio-access-token", ["fo1_", "fm1a_", "fm1r_", "fm2_"], /(?:fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,4000}={0,3}|fm2_[A-Za-z0-9+/]{100,4000}={0,3})(?![A-Za-z0-9+/=_-])/y, { minEntropy: 4 }),
  token("vault-token", ["hvs.", "hvb.", "hvr."], /hv[sbr]\.[A-Za-z0-9_-]{90,300}(?![A-Za-z0-9_-])/y, { minEntropy: 3.5 }),
  token("doppler-token", ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."], /dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_-]{2,35}\.)?[A-Za-z0-9]{40,44}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("pulumi-api-token", ["pul-"], /pul-[a-f0-9]{40}(?![A-Za-z0-9])/y),
  token("terraform-cloud-token", [".atlasv1."], /[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}(?![A-Za-z0-9_=-])/y, { back: 14, wordChar: ALNUM, minEntropy: 3.5 }),
  token("databricks-api-token", ["dapi"], /dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])/y, { wordChar: ALNUM }),
  token("planetscale-token", ["pscale_tkn_", "pscale_oauth_", "pscale_pw_"], /pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}(?![A-Za-z0-9_=.-])/y),
  token("supabase-token", ["sbp_", "sb_secret_"], /(?:sbp_(?:oauth_)?[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{31,64})(?![A-Za-z0-9_-])/y),
  token("clickhouse-cloud-api-secret-key", ["4b1d"], /4b1d[A-Za-z0-9]{38}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: twoClasses }),
  token("scalingo-api-token", ["tk-us-"], /tk-us-[A-Za-z0-9_-]{48}(?![A-Za-z0-9_-])/y),
  token("openshift-user-token", ["sha256~"], /sha256~[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/y, { minEntropy: 3.5 }),
  token("cloudflare-origin-ca-key", ["v1.0-"], /v1\.0-[a-f0-9]{24}-[a-f0-9]{146}(?![A-Za-z0-9])/y),
  token("1password-token", ["a3-", "ops_eyj"], /(?:A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{250,4000}={0,3})(?![A-Za-z0-9+/=-])/y, { minEntropy: 3.5 }),
  token("age-secret-key", ["age-secret-key-1"], /AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}(?![A-Za-z0-9])/y),
  token("authress-access-key", ["sc_", "ext_", "scauth_", "authress_"], /(?:sc|ext|scauth|authress)_[A-Za-z0-9]{5,30}\.[A-Za-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[A-Za-z0-9+/_=-]{30,120}(?![A-Za-z0-9+/_=-])/y),
  token("dynatrace-api-token", ["dt0c01."], /dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}(?![A-Za-z0-9])/y, { minEntropy: 4 }),
  token("grafana-token", ["glc_", "glsa_", "eyjrijoi"], /(?:glc_[A-Za-z0-9+/]{32,400}={0,3}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9]{70,400}={0,3})(?![A-Za-z0-9+/=_])/y),
  token("new-relic-key", ["nrak-", "nrii-", "nrjs-", "nrra-"], /(?:NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9-]{32}|NRJS-[a-f0-9]{19}|NRRA-[a-f0-9]{42})(?![A-Za-z0-9-])/y),
  // A license key is 36 hex digits and then `NRAL`.
  token("new-relic-key", ["nral"], /[a-f0-9]{36}NRAL(?![A-Za-z0-9])/y, { back: 36, wordChar: ALNUM }),
  token("sentry-token", ["sntryu_", "sntrys_eyj"], /(?:sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/]{10,400}={0,2}_[A-Za-z0-9+/]{43})(?![A-Za-z0-9+/=_])/y, { minEntropy: 3.5 }),
  token("artifactory-token", ["akcp", "cmvmd"], /(?:AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})(?![A-Za-z0-9])/y, { wordChar: ALNUM, minEntropy: 4.5 }),
  token("huggingface-org-token", ["api_org_"], /api_org_[A-Za-z]{34}(?![A-Za-z0-9_])/y, { wordChar: ALNUM_UNDERSCORE, minEntropy: 3.5, validate: (v) => /[a-z]/.test(v.slice(8)) && /[A-Z]/.test(v) }),
  token("perplexity-api-key", ["pplx-"], /pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])/y, { minEntropy: 4, validate: twoClasses }),
  token("groq-api-key", ["gsk_"], /gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])/y, { minEntropy: 4, validate: twoClasses }),
  token("replicate-api-token", ["r8_"], /r8_[A-Za-z0-9]{37}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("xai-api-key", ["xai-"], /xai-[A-Za-z0-9]{80}(?![A-Za-z0-9])/y, { minEntropy: 4, validate: twoClasses }),
  token("openrouter-api-key", ["sk-or-v1-"], /sk-or-v1-[a-f0-9]{64}(?![A-Za-z0-9])/y),
];

