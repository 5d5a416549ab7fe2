/**
 * BackendTLSPolicy validation rules: targetRefs sectionName consistency, CA source, and the
 * subjectAltNames type/field agreement.
 */
import { type ErrorList, isObject, listOf } from './types.ts';

/** Reason texts of BackendTLSPolicy rules. */
export const POLICY_REASON = {
  targetNeedsSection: 'targetRefs to the same target must all set sectionName or all leave it unset',
  targetDuplicate: 'targetRefs to the same target must have distinct sectionNames',
  bothCASources: 'set caCertificateRefs or wellKnownCACertificates, not both',
  noCASource: 'one of caCertificateRefs or wellKnownCACertificates is required',
} as const;

const blank = (v: unknown): boolean => v === undefined || v === '';

/** Runs every BackendTLSPolicy rule on a spec. */
export function checkBackendTLSPolicy(spec: any, errs: ErrorList): void {
  const targets = listOf(spec.targetRefs).filter(isObject);
  const same = (a: any, b: any): boolean => a.group === b.group && a.kind === b.kind && a.name === b.name;
  if (targets.some((a) => targets.some((b) => same(a, b) && blank(a.sectionName) !== blank(b.sectionName)))) {
    errs.add(['spec', 'targetRefs'], POLICY_REASON.targetNeedsSection);
  }
  const sameSection = (a: any, b: any): boolean =>
    (blank(a.sectionName) && blank(b.sectionName)) || (a.sectionName !== undefined && a.sectionName === b.sectionName);
  if (targets.some((a) => targets.filter((b) => same(a, b) && sameSection(a, b)).length !== 1)) {
    errs.add(['spec', 'targetRefs'], POLICY_REASON.targetDuplicate);
  }
  const v = spec.validation;
  if (!isObject(v)) return;
  const hasRefs = listOf(v.caCertificateRefs).length > 0;
  const hasWellKnown = !blank(v.wellKnownCACertificates);
  if (hasRefs && hasWellKnown) errs.add(['spec', 'validation'], POLICY_REASON.bothCASources);
  if (!hasRefs && !hasWellKnown) errs.add(['spec', 'validation'], POLICY_REASON.noCASource);
  listOf(v.subjectAltNames).forEach((san, i) => {
    if (!isObject(san)) return;
    for (const [type, field] of [['Hostname', 'hostname'], ['URI', 'uri']]) {
      const path = ['spec', 'validation', 'subjectAltNames', i];
      if (san.type === type && blank(san[field])) errs.add(path, `${field} is required when type is ${type}`);
      if (san.type !== type && !blank(san[field])) errs.add(path, `${field} must not be set when type is not ${type}`);
    }
  });
}
