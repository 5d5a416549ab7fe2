/**
 * Validation rules shared by several kinds (the CRDs repeat them per type): parentRef uniqueness,
 * Service backends needing a port, unique rule names, filter type/field agreement, mirror and
 * session-persistence consistency. Each takes the defaulted value and the path of the node the
 * upstream rule is attached to, so errors land on the same field the API server names.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';

/** Reason texts of the shared rules. */
export const COMMON_REASON = {
  parentRefNeedsSection: 'parentRefs to the same parent must all set sectionName or port, or all leave them unset',
  parentRefDuplicate: 'parentRefs to the same parent must differ in sectionName or port',
  servicePort: 'port is required when the backend is a Service',
  ruleNameDuplicate: 'rule names must be unique within the route',
  mirrorPercentAndFraction: 'set percent or fraction, not both',
  fractionTooLarge: 'numerator must not be greater than denominator',
  absoluteTimeoutNeeded: 'absoluteTimeout is required when cookie.lifetimeType is Permanent',
} as const;

const empty = (v: unknown): boolean => v === undefined || v === '' || v === 0;
const str = (v: unknown): string => (v === undefined ? '' : String(v));

/** The two parentRefs rules of every route kind. */
export function checkParentRefs(refs: unknown, path: PathStep[], errs: ErrorList): void {
  const list = listOf(refs).filter(isObject);
  const sameParent = (a: any, b: any): boolean =>
    a.group === b.group && a.kind === b.kind && a.name === b.name && str(a.namespace) === str(b.namespace);
  let mixed = false;
  for (const a of list) {
    for (const b of list) {
      if (!sameParent(a, b)) continue;
      if (empty(a.sectionName) !== empty(b.sectionName) || empty(a.port) !== empty(b.port)) mixed = true;
    }
  }
  if (mixed) errs.add(path, COMMON_REASON.parentRefNeedsSection);
  const duplicate = list.some(
    (a) => list.filter((b) => sameParent(a, b) && str(a.sectionName) === str(b.sectionName) && (a.port ?? 0) === (b.port ?? 0)).length !== 1,
  );
  if (duplicate) errs.add(path, COMMON_REASON.parentRefDuplicate);
}

/** A reference to a core Service must name a port. */
export function checkServicePort(ref: unknown, path: PathStep[], errs: ErrorList): void {
  if (!isObject(ref)) return;
  if (ref.group === '' && ref.kind === 'Service' && ref.port === undefined) errs.add(path, COMMON_REASON.servicePort);
}

/** Named rules must have unique names (unnamed rules are not compared). */
export function checkRuleNames(rules: unknown, path: PathStep[], errs: ErrorList): void {
  const names = listOf(rules).filter((r) => isObject(r) && r.name !== undefined).map((r) => r.name);
  if (new Set(names).size !== names.length) errs.add(path, COMMON_REASON.ruleNameDuplicate);
}

/**
 * Filter type ↔ field agreement: the field named for the type must be set, and no other filter
 * field may be. `fields` maps each filter type this kind knows to its field.
 */
export function checkFilter(f: unknown, path: PathStep[], fields: Readonly<Record<string, string>>, errs: ErrorList): void {
  if (!isObject(f)) return;
  for (const [type, field] of Object.entries(fields)) {
    if (f[field] !== undefined && f.type !== type) errs.add(path, `${field} must not be set when type is not ${type}`);
    if (f[field] === undefined && f.type === type) errs.add(path, `${field} is required when type is ${type}`);
  }
}

/** Filter types that may appear at most once in one filter list. */
export function checkNoRepeats(filters: unknown, path: PathStep[], types: readonly string[], errs: ErrorList): void {
  const list = listOf(filters).filter(isObject);
  for (const t of types) {
    if (list.filter((f) => f.type === t).length > 1) errs.add(path, `the ${t} filter may appear only once`);
  }
}

/** requestMirror: percent and fraction exclude each other; a fraction is at most 1. */
export function checkMirror(m: unknown, path: PathStep[], errs: ErrorList): void {
  if (!isObject(m)) return;
  if (m.percent !== undefined && m.fraction !== undefined) errs.add(path, COMMON_REASON.mirrorPercentAndFraction);
  const fr = m.fraction;
  if (isObject(fr) && typeof fr.numerator === 'number' && typeof fr.denominator === 'number' && fr.numerator > fr.denominator) {
    errs.add([...path, 'fraction'], COMMON_REASON.fractionTooLarge);
  }
  checkServicePort(m.backendRef, [...path, 'backendRef'], errs);
}

/** sessionPersistence: the cookie/header block matches the type; Permanent cookies need a timeout. */
export function checkSession(sp: unknown, path: PathStep[], errs: ErrorList): void {
  if (!isObject(sp)) return;
  if (isObject(sp.cookie) && sp.cookie.lifetimeType === 'Permanent' && sp.absoluteTimeout === undefined) {
    errs.add(path, COMMON_REASON.absoluteTimeoutNeeded);
  }
  for (const [type, field] of [['Cookie', 'cookie'], ['Header', 'header']]) {
    if (sp[field] !== undefined && sp.type !== type) errs.add(path, `${field} must not be set when type is not ${type}`);
    if (sp[field] === undefined && sp.type === type) errs.add(path, `${field} is required when type is ${type}`);
  }
}

/** The total number of matches over all rules (16 rules × 64 matches are allowed, but only 128 in sum). */
export function checkTotalMatches(rules: unknown, path: PathStep[], errs: ErrorList): void {
  const total = listOf(rules).reduce((n, r) => n + (isObject(r) ? listOf(r.matches).length : 0), 0);
  if (total > 128) errs.add(path, `the route has ${total} matches in all; at most 128 are allowed`);
}

/** The rules of TLSRoute, TCPRoute and UDPRoute beyond their hostnames: parentRefs and backend ports. */
export function checkL4Route(spec: any, errs: ErrorList): void {
  checkParentRefs(spec.parentRefs, ['spec', 'parentRefs'], errs);
  listOf(spec.rules).forEach((r, i) => {
    if (!isObject(r)) return;
    listOf(r.backendRefs).forEach((b, j) => checkServicePort(b, ['spec', 'rules', i, 'backendRefs', j], errs));
  });
}
