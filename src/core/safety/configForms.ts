/**
 * Credentials in forms the assignment reader does not parse: `<add key="ClearTextPassword" value="…"/>` in
 * NuGet.Config, web.config and app.config; `curl -u user:password`; and the values of a Kubernetes `Secret`
 * manifest's `data:` / `stringData:` (gitleaks: nuget-config-password, curl-auth-user, kubernetes-secret-yaml).
 */
import { isPlaceholderValue } from "./allowlist.ts";
import { judgeNamedValue } from "./assignments.ts";
import type { Span } from "./types.ts";
import { words } from "./valueShapes.ts";

export interface FormFinding extends Span {
  readonly ruleId: string;
}

const ADD_KEY_RE = /<add[ \t]+key[ \t]*=[ \t]*(["'])([^"'\n]{1,64})\1[ \t]+value[ \t]*=[ \t]*(["'])([^"'\n]{1,256})\3/y;

/** `<add key="Password" value="…"/>` at `hit` (the `<`): the value, judged like the generic rule judges `Password = …`. */
export function judgeXmlAddKey(text: string, hit: number): FormFinding | undefined {
  ADD_KEY_RE.lastIndex = hit;
  const m = ADD_KEY_RE.exec(text);
  if (!m) return undefined;
  const ruleId = judgeNamedValue(m[4], words(m[2]));
  if (!ruleId) return undefined;
  const start = hit + m[0].length - m[4].length - 1;
  return { ruleId, start, end: start + m[4].length };
}

/** `curl … -u user:password` (or `--user`), over up to five `\`-continued lines, quoted or not. */
const CURL_USER_RE = /curl(?=[ \t])(?:[^\n\\]|\\[^\n]|\\\n){0,400}?[ \t](?:-u|--user)(?:=|[ \t]{1,5})(?:"([^"\n:]{1,128}):([^"\n]{3,256})"|'([^'\n:]{1,128}):([^'\n]{3,256})'|([^\s"'`:]{1,128}):([^\s"'`]{3,256}))/y;

export function judgeCurlUser(text: string, hit: number): FormFinding | undefined {
  if (hit > 0 && /[A-Za-z0-9_-]/.test(text[hit - 1])) return undefined;
  CURL_USER_RE.lastIndex = hit;
  const m = CURL_USER_RE.exec(text);
  if (!m) return undefined;
  const password = m[2] ?? m[4] ?? m[6];
  if (isPlaceholderValue(password) || /^(?:password|passwd|pass|pwd|secret|token|changeme|x+)$/i.test(password)) return undefined;
  const close = m[2] !== undefined || m[4] !== undefined ? 1 : 0;
  const end = hit + m[0].length - close;
  return { ruleId: "password", start: end - password.length, end };
}

const KIND_SECRET_RE = /kind:[ \t]*(["']?)Secret\1[ \t]*(?:#[^\n]*)?(?=\r?\n|$)/y;
const DOC_WINDOW = 8192;
const DATA_RE = /^(?:data|stringData):[ \t]*(?:#[^\n]*)?\r?$/gm;
/** One `key: value` line of a map; group 2 is the value without surrounding blanks or quotes. */
const ENTRY_RE = /^([ \t]+)[\w.-]{1,253}:[ \t]*(["']?)(.*?)\2[ \t]*\r?$/dmy;
const BLOCK_SCALAR = /^[|>][-+]?$/;

function lineEndAt(doc: string, pos: number): number {
  const n = doc.indexOf("\n", pos);
  return n === -1 ? doc.length : n;
}

/**
 * At `hit` (`kind:` at the start of a line): when the YAML document is a Secret, the spans of the values under its
 * `data:` and `stringData:` maps. `after` is where the previous Secret document ended, so each document is read
 * once and a flood of `kind: Secret` stays linear.
 */
export function findKubernetesSecretValues(text: string, hit: number, after: number): { spans: Span[]; docEnd: number } | undefined {
  if (hit > 0 && text[hit - 1] !== "\n") return undefined;
  KIND_SECRET_RE.lastIndex = hit;
  if (!KIND_SECRET_RE.test(text)) return undefined;
  const lo = Math.max(after, hit - DOC_WINDOW);
  const sepBefore = text.slice(lo, hit).lastIndexOf("\n---");
  const docStart = sepBefore === -1 ? lo : lo + sepBefore + 4;
  const sepAfter = text.slice(hit, hit + DOC_WINDOW).indexOf("\n---");
  const docEnd = sepAfter === -1 ? Math.min(text.length, hit + DOC_WINDOW) : hit + sepAfter;
  const doc = text.slice(docStart, docEnd);
  const spans: Span[] = [];
  DATA_RE.lastIndex = 0;
  let d: RegExpExecArray | null;
  while ((d = DATA_RE.exec(doc)) !== null) {
    let pos = lineEndAt(doc, d.index) + 1;
    let indent = -1;
    while (pos < doc.length) {
      const end = lineEndAt(doc, pos);
      ENTRY_RE.lastIndex = pos;
      const e = ENTRY_RE.exec(doc);
      if (!e?.indices) {
        // Blank lines and comments stay inside the map; anything else ends it.
        if (!/^[ \t]*(?:#.*)?\r?$/.test(doc.slice(pos, end))) break;
        pos = end + 1;
        continue;
      }
      if (indent === -1) indent = e[1].length;
      if (e[1].length !== indent) break;
      const value = e[3];
      const [vs, ve] = e.indices[3];
      if (value && !BLOCK_SCALAR.test(value) && !isPlaceholderValue(value)) spans.push({ start: docStart + vs, end: docStart + ve });
      pos = end + 1;
      // A block scalar (`key: |`): its more-indented lines are the value.
      while (BLOCK_SCALAR.test(value) && pos < doc.length) {
        const lineEnd = lineEndAt(doc, pos);
        const line = doc.slice(pos, lineEnd);
        const lead = line.length - line.trimStart().length;
        if (line.trim() !== "" && lead <= indent) break;
        if (line.trim() !== "") spans.push({ start: docStart + pos + lead, end: docStart + pos + line.trimEnd().length });
        pos = lineEnd + 1;
      }
    }
  }
  return { spans, docEnd };
}
