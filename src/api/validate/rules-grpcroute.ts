/**
 * GRPCRoute validation rules: method matches, filters, mirrors, session persistence, parentRefs.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';
import {
  checkFilter, checkMirror, checkNoRepeats, checkParentRefs, checkRuleNames, checkServicePort, checkSession,
  checkTotalMatches,
} from './rules-common.ts';

/** Reason texts of GRPCRoute rules. */
export const GRPCROUTE_REASON = {
  methodEmpty: 'a method match needs service, method, or both',
  badService: 'service must be a dotted name of letters, digits and underscores (e.g. "pkg.v1.Service")',
  badMethod: 'method must be a name of letters, digits and underscores, not starting with a digit',
} as const;

const FILTER_FIELDS = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  ExtensionRef: 'extensionRef',
} as const;
const UNIQUE_FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier'];
const SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/** Runs every GRPCRoute rule on a defaulted spec. */
export function checkGRPCRoute(spec: any, errs: ErrorList): void {
  checkParentRefs(spec.parentRefs, ['spec', 'parentRefs'], errs);
  checkTotalMatches(spec.rules, ['spec', 'rules'], errs);
  checkRuleNames(spec.rules, ['spec', 'rules'], errs);
  listOf(spec.rules).forEach((r, i) => {
    if (!isObject(r)) return;
    const path: PathStep[] = ['spec', 'rules', i];
    listOf(r.matches).forEach((m, j) => {
      if (isObject(m) && isObject(m.method)) checkMethod(m.method, [...path, 'matches', j, 'method'], errs);
    });
    checkFilters(r.filters, [...path, 'filters'], errs);
    listOf(r.backendRefs).forEach((b, j) => {
      if (!isObject(b)) return;
      checkServicePort(b, [...path, 'backendRefs', j], errs);
      checkFilters(b.filters, [...path, 'backendRefs', j, 'filters'], errs);
    });
    checkSession(r.sessionPersistence, [...path, 'sessionPersistence'], errs);
  });
}

/** Exact method matches name real gRPC identifiers; any match names at least one of the two. */
function checkMethod(m: any, path: PathStep[], errs: ErrorList): void {
  if (m.type !== undefined && m.service === undefined && m.method === undefined) errs.add(path, GRPCROUTE_REASON.methodEmpty);
  const exact = m.type === undefined || m.type === 'Exact';
  if (exact && typeof m.service === 'string' && !SERVICE.test(m.service)) errs.add(path, GRPCROUTE_REASON.badService);
  if (exact && typeof m.method === 'string' && !METHOD.test(m.method)) errs.add(path, GRPCROUTE_REASON.badMethod);
}

function checkFilters(filters: unknown, path: PathStep[], errs: ErrorList): void {
  checkNoRepeats(filters, path, UNIQUE_FILTERS, errs);
  listOf(filters).forEach((f, k) => {
    if (!isObject(f)) return;
    checkFilter(f, [...path, k], FILTER_FIELDS, errs);
    checkMirror(f.requestMirror, [...path, k, 'requestMirror'], errs);
  });
}
