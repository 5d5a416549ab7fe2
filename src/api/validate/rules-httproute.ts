/**
 * HTTPRoute validation rules (the CRD's x-kubernetes-validations, reimplemented): path match values,
 * filter consistency, redirect/rewrite constraints, CORS wildcards, external auth, timeouts.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';
import {
  checkFilter, checkMirror, checkNoRepeats, checkParentRefs, checkRuleNames, checkServicePort, checkSession,
  checkTotalMatches,
} from './rules-common.ts';
import { parseDuration } from './duration.ts';

/** Reason texts of HTTPRoute rules. */
export const HTTPROUTE_REASON = {
  pathNotAbsolute: "value must start with '/' for Exact and PathPrefix matches",
  pathBadChars: 'value has characters not allowed in a path for Exact and PathPrefix matches',
  redirectWithBackends: 'a RequestRedirect filter cannot be combined with backendRefs',
  redirectAndRewrite: 'RequestRedirect and URLRewrite filters cannot be used together',
  replacePrefixNeedsOneMatch: 'ReplacePrefixMatch needs exactly one match, and it must be a PathPrefix path match',
  backendTimeoutTooLong: 'backendRequest timeout must not be longer than the request timeout',
  corsWildcard: "'*' must be the only entry when it is used",
} as const;

const FILTER_FIELDS = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
  ExternalAuth: 'externalAuth',
} as const;
const UNIQUE_FILTERS = ['CORS', 'RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite'];

/** Forbidden substrings and suffixes of Exact/PathPrefix values, each with its own reason. */
const PATH_FORBIDDEN: ReadonlyArray<[string, 'contains' | 'endsWith']> = [
  ['//', 'contains'], ['/./', 'contains'], ['/../', 'contains'], ['%2f', 'contains'], ['%2F', 'contains'],
  ['#', 'contains'], ['/..', 'endsWith'], ['/.', 'endsWith'],
];
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** Runs every HTTPRoute rule on a defaulted spec. */
export function checkHTTPRoute(spec: any, errs: ErrorList): void {
  checkParentRefs(spec.parentRefs, ['spec', 'parentRefs'], errs);
  checkTotalMatches(spec.rules, ['spec', 'rules'], errs);
  checkRuleNames(spec.rules, ['spec', 'rules'], errs);
  listOf(spec.rules).forEach((r, i) => {
    if (isObject(r)) checkRule(r, ['spec', 'rules', i], errs);
  });
}

function checkRule(r: any, path: PathStep[], errs: ErrorList): void {
  const backends = listOf(r.backendRefs);
  if (backends.length > 0 && listOf(r.filters).some((f) => isObject(f) && f.requestRedirect !== undefined)) {
    errs.add(path, HTTPROUTE_REASON.redirectWithBackends);
  }
  checkReplacePrefix(r, path, errs);
  listOf(r.matches).forEach((m, j) => {
    if (isObject(m) && isObject(m.path)) checkPathMatch(m.path, [...path, 'matches', j, 'path'], errs);
  });
  checkFilters(r.filters, [...path, 'filters'], errs);
  backends.forEach((b, j) => {
    if (!isObject(b)) return;
    checkServicePort(b, [...path, 'backendRefs', j], errs);
    checkFilters(b.filters, [...path, 'backendRefs', j, 'filters'], errs);
  });
  if (isObject(r.timeouts)) checkTimeouts(r.timeouts, [...path, 'timeouts'], errs);
  checkSession(r.sessionPersistence, [...path, 'sessionPersistence'], errs);
}

/** Exact and PathPrefix values are normalized absolute paths. */
function checkPathMatch(p: any, path: PathStep[], errs: ErrorList): void {
  if (p.type !== 'Exact' && p.type !== 'PathPrefix') return;
  const v = typeof p.value === 'string' ? p.value : '';
  if (!v.startsWith('/')) errs.add(path, HTTPROUTE_REASON.pathNotAbsolute);
  for (const [s, how] of PATH_FORBIDDEN) {
    const bad = how === 'contains' ? v.includes(s) : v.endsWith(s);
    if (bad) errs.add(path, `value must not ${how === 'contains' ? 'contain' : 'end with'} '${s}' for Exact and PathPrefix matches`);
  }
  if (!PATH_CHARS.test(v)) errs.add(path, HTTPROUTE_REASON.pathBadChars);
}

/** True when exactly one of `filters` has a `field` filter with a ReplacePrefixMatch path. */
function oneReplacePrefix(filters: unknown, field: 'requestRedirect' | 'urlRewrite'): boolean {
  const hits = listOf(filters).filter((f) => {
    const p = isObject(f) && isObject(f[field]) ? f[field].path : undefined;
    return isObject(p) && p.type === 'ReplacePrefixMatch' && p.replacePrefixMatch !== undefined;
  });
  return hits.length === 1;
}

/**
 * ReplacePrefixMatch only makes sense with a single PathPrefix match. Upstream counts with
 * "exactly one" at both levels, so two backendRefs that both rewrite escape the rule; kept as is.
 */
function checkReplacePrefix(r: any, path: PathStep[], errs: ErrorList): void {
  const matches = listOf(r.matches);
  const ok = matches.length === 1 && isObject(matches[0]) && isObject(matches[0].path) && matches[0].path.type === 'PathPrefix';
  if (ok) return;
  for (const field of ['requestRedirect', 'urlRewrite'] as const) {
    if (oneReplacePrefix(r.filters, field)) errs.add(path, HTTPROUTE_REASON.replacePrefixNeedsOneMatch);
    const backendHits = listOf(r.backendRefs).filter((b) => isObject(b) && oneReplacePrefix(b.filters, field));
    if (backendHits.length === 1) errs.add(path, HTTPROUTE_REASON.replacePrefixNeedsOneMatch);
  }
}

function checkFilters(filters: unknown, path: PathStep[], errs: ErrorList): void {
  const list = listOf(filters);
  if (list.some((f) => f?.type === 'RequestRedirect') && list.some((f) => f?.type === 'URLRewrite')) {
    errs.add(path, HTTPROUTE_REASON.redirectAndRewrite);
  }
  checkNoRepeats(list, path, UNIQUE_FILTERS, errs);
  list.forEach((f, k) => {
    if (!isObject(f)) return;
    const here = [...path, k];
    checkFilter(f, here, FILTER_FIELDS, errs);
    checkMirror(f.requestMirror, [...here, 'requestMirror'], errs);
    for (const field of ['requestRedirect', 'urlRewrite']) {
      if (isObject(f[field]) && isObject(f[field].path)) checkPathModifier(f[field].path, [...here, field, 'path'], errs);
    }
    if (isObject(f.cors)) checkCors(f.cors, [...here, 'cors'], errs);
    if (isObject(f.externalAuth)) checkExternalAuth(f.externalAuth, [...here, 'externalAuth'], errs);
  });
}

/** type says which of replaceFullPath / replacePrefixMatch is set, and only that one. */
function checkPathModifier(p: any, path: PathStep[], errs: ErrorList): void {
  for (const [type, field] of [['ReplaceFullPath', 'replaceFullPath'], ['ReplacePrefixMatch', 'replacePrefixMatch']]) {
    if (p.type === type && p[field] === undefined) errs.add(path, `${field} is required when type is ${type}`);
    if (p[field] !== undefined && p.type !== type) errs.add(path, `${field} may only be set when type is ${type}`);
  }
}

function checkCors(c: any, path: PathStep[], errs: ErrorList): void {
  for (const field of ['allowOrigins', 'allowMethods', 'allowHeaders']) {
    const list = listOf(c[field]);
    if (list.includes('*') && list.length > 1) errs.add([...path, field], HTTPROUTE_REASON.corsWildcard);
  }
}

/** protocol names which of grpc / http is configured, and only that one. */
function checkExternalAuth(a: any, path: PathStep[], errs: ErrorList): void {
  for (const [proto, field] of [['GRPC', 'grpc'], ['HTTP', 'http']]) {
    if (a.protocol === proto && a[field] === undefined) errs.add(path, `${field} is required when protocol is ${proto}`);
    if (a[field] !== undefined && a.protocol !== proto) errs.add(path, `${field} may only be set when protocol is ${proto}`);
  }
  checkServicePort(a.backendRef, [...path, 'backendRef'], errs);
}

/** backendRequest ≤ request, unless request is 0s (no timeout). */
function checkTimeouts(t: any, path: PathStep[], errs: ErrorList): void {
  if (t.request === undefined || t.backendRequest === undefined) return;
  const req = parseDuration(t.request);
  const back = parseDuration(t.backendRequest);
  if (req === undefined || back === undefined) return;
  if (req !== 0 && back > req) errs.add(path, HTTPROUTE_REASON.backendTimeoutTooLong);
}
