import type { K8sObject } from '../api/object.ts';
import { convertToStored } from '../api/convert.ts';
import { validateObject, formatPath } from '../api/validate/index.ts';

/** The verdict of admission on one object: the object as it will be stored, or why it cannot be. */
export interface Admission {
  obj: K8sObject;
  errors: { path: string; message: string }[];
  warnings: string[];
}

/**
 * Admission as the admin API applies it: convert older apiVersions to the stored one, then
 * validate against the schema and the CEL-equivalent rules. The file provider does the same with
 * file positions on top.
 */
export function admit(input: K8sObject): Admission {
  const { obj, warning } = convertToStored(input);
  const res = validateObject(obj);
  return {
    obj,
    errors: res.errors.map((e) => ({ path: formatPath(e.path), message: e.message })),
    warnings: [...(warning ? [warning] : []), ...res.warnings],
  };
}
