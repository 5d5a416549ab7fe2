import type { K8sObject } from '../api/object.ts';
import { admitObject } from '../api/admission.ts';
import { formatPath } from '../api/validate/index.ts';

/** The verdict of admission on one object, as the admin API reports it. */
export interface Admission {
  obj: K8sObject;
  errors: { path: string; message: string }[];
  warnings: string[];
}

/** Admission for the admin API: the shared admitObject, with field paths as strings. */
export function admit(input: K8sObject): Admission {
  const r = admitObject(input);
  return {
    obj: r.obj,
    errors: r.errors.map((e) => ({ path: formatPath(e.path), message: e.message })),
    warnings: [...(r.conversionWarning ? [r.conversionWarning] : []), ...r.warnings],
  };
}
