/**
 * Prefixed credentials of developer services: CI, package registries, issue trackers, API tooling, code search
 * and quality. Ids and formats follow gitleaks' default rules and the providers' documented token prefixes.
 */
import { ALNUM, decodeBase64, lettersAndDigits, token, twoClasses, type TokenRule } from "./rule.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

/** `ZXlK…`: a JWT that was base64-encoded once more (Kubernetes secrets, CI variables). */
function isBase64Jwt(value: string): boolean {
  const decoded = decodeBase64(value.slice(0, 1024 - (1024 % 4)));
  return decoded !== undefined && /^eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(decoded);
}

export const DEVTOOLS_TOKEN_RULES: readonly TokenRule[] = [
  token("gitlab-token", ["gr1348941"], /GR1348941[A-Za-z0-9_-]{20}(?![A-Za-z0-9_-])/y),
  token("circleci-token", ["ccipat_", "cciprj_"], /CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[a-f0-9]{40}(?![A-Za-z0-9])/y),
  token("buildkite-token", ["bkua_"], /bkua_[a-f0-9]{40}(?![A-Za-z0-9])/y),
  token("dockerhub-token", ["dckr_pat_", "dckr_oat_"], /dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,64}(?![A-Za-z0-9_-])/y),
  token("pypi-upload-token", ["pypi-age"], /pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,1000}(?![A-Za-z0-9_-])/y),
  token("rubygems-api-token", ["rubygems_"], /rubygems_[a-f0-9]{48}(?![A-Za-z0-9])/y),
  token("nuget-api-key", ["oy2"], /oy2[a-z0-9]{43}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: lettersAndDigits }),
  token("clojars-api-token", ["clojars_"], /CLOJARS_[a-z0-9]{60}(?![A-Za-z0-9])/iy, { validate: lettersAndDigits }),
  token("linear-api-key", ["lin_api_", "lin_oauth_"], /lin_(?:api|oauth)_[A-Za-z0-9]{40}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("notion-api-token", ["ntn_", "secret_"], /(?:ntn_\d{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("atlassian-api-token", ["atatt3"], /ATATT3[A-Za-z0-9_=-]{150,220}(?![A-Za-z0-9_=-])/y, { minEntropy: 3.5 }),
  token("postman-api-token", ["pmak-"], /PMAK-[a-f0-9]{24}-[a-f0-9]{34}(?![A-Za-z0-9])/y),
  token("prefect-api-token", ["pnu_"], /pnu_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("readme-api-token", ["rdme_"], /rdme_[a-z0-9]{70}(?![A-Za-z0-9])/y),
  token("infracost-api-token", ["ico-"], /ico-[A-Za-z0-9]{32}(?![A-Za-z0-9])/y, { validate: twoClasses }),
  token("frameio-api-token", ["fio-u-"], /fio-u-[A-Za-z0-9_=-]{64}(?![A-Za-z0-9_=-])/y),
  token("harness-api-key", ["pat.", "sat."], /(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])/y),
  token("octopus-deploy-api-key", ["api-"], /API-[A-Z0-9]{26}(?![A-Za-z0-9])/y, { wordChar: ALNUM, validate: (v) => lettersAndDigits(v.slice(4)) }),
  token("settlemint-token", ["sm_aat_", "sm_pat_", "sm_sat_"], /sm_(?:aat|pat|sat)_[A-Za-z0-9]{16}(?![A-Za-z0-9])/y, { validate: (v) => twoClasses(v.slice(7)) }),
  token("sourcegraph-access-token", ["sgp_"], /sgp_(?:(?:[a-fA-F0-9]{16}|local)_)?[a-fA-F0-9]{40}(?![A-Za-z0-9])/y),
  token("sonar-api-token", ["squ_", "sqp_", "sqa_"], /sq[upa]_[a-f0-9]{40}(?![A-Za-z0-9])/y),
  token("intra42-client-secret", ["s-s4t2ud-", "s-s4t2af-"], /s-s4t2(?:ud|af)-[a-f0-9]{64}(?![A-Za-z0-9])/y),
  token("typeform-api-token", ["tfp_"], /tfp_[A-Za-z0-9_.=-]{59}(?![A-Za-z0-9_.=-])/y, { validate: twoClasses }),
  token("hubspot-api-key", ["pat-na", "pat-eu"], new RegExp(`pat-(?:na|eu)\\d-${UUID}(?![A-Za-z0-9])`, "y")),
  token("defined-networking-api-token", ["dnkey-"], /dnkey-[A-Za-z0-9=_-]{26}-[A-Za-z0-9=_-]{52}(?![A-Za-z0-9=_-])/y),
  token("jwt-base64", ["zxlk"], /ZXlK[A-Za-z0-9+/]{40,8000}={0,2}(?![A-Za-z0-9+/=])/y, { wordChar: ALNUM, validate: isBase64Jwt }),
];
