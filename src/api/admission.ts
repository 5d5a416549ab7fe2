import type { K8sObject } from './object.ts';
import { kindInfo } from './kinds.ts';
import { convertToStored } from './convert.ts';
import { validateObject, withDefaults, type FieldError } from './validate/index.ts';

/** The verdict of admission on one object. */
export interface AdmissionResult {
  /** The object as it will be stored: stored apiVersion, schema defaults filled in. */
  obj: K8sObject;
  errors: FieldError[];
  warnings: string[];
  /** Set when an older apiVersion was read as the stored one. */
  conversionWarning?: string;
}

/**
 * Admission, the same for every way an object comes in (files, admin API): convert an older
 * apiVersion to the stored one, validate against the schema and the CEL-equivalent rules, then fill
 * in the schema defaults, as the Kubernetes API server does. Storing defaulted objects matters:
 * status echoes spec values such as a parentRef's group and kind, and clients compare them.
 */
export function admitObject(input: K8sObject): AdmissionResult {
  const { obj, warning } = convertToStored(input);
  const res = validateObject(obj);
  const info = typeof obj?.apiVersion === 'string' ? kindInfo(obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '', obj.kind) : undefined;
  const stored = res.errors.length === 0 && info?.gatewayApi && obj.spec !== undefined ? { ...obj, spec: withDefaults(obj.kind, obj.spec) } : obj;
  return { obj: stored, errors: res.errors, warnings: res.warnings, conversionWarning: warning };
}
