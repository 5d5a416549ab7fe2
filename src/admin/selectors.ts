/**
 * Query parameters that select objects: `labelSelector` (parsed by src/api/labels.ts) and the small
 * part of `fieldSelector` that every Kubernetes resource supports: metadata.name and metadata.namespace.
 */
import type { K8sObject } from '../api/object.ts';
import { matchesSelector, parseSelector, type LabelSelector } from '../api/labels.ts';
import { failure, type Reply } from './reply.ts';

/** One `field=value` / `field!=value` requirement. */
export interface FieldRequirement {
  field: 'metadata.name' | 'metadata.namespace';
  value: string;
  negate: boolean;
}

/** What a list or watch request selects beyond kind and namespace. */
export interface Selection {
  labels?: LabelSelector;
  fields: FieldRequirement[];
}

/** Parses `labelSelector` and `fieldSelector` from a query; a 400 reply when either is malformed. */
export function parseSelection(q: URLSearchParams): Selection | Reply {
  const out: Selection = { fields: [] };
  const ls = q.get('labelSelector');
  if (ls) {
    try {
      out.labels = parseSelector(ls);
    } catch (err) {
      return failure(400, 'BadRequest', `unable to parse requirement: ${(err as Error).message}`);
    }
  }
  const fs = q.get('fieldSelector');
  for (const term of fs ? fs.split(',') : []) {
    const m = term.trim().match(/^([^!=\s]+)\s*(!=|==|=)\s*(.*)$/);
    if (!m) return failure(400, 'BadRequest', `invalid field selector term "${term}"`);
    if (m[1] !== 'metadata.name' && m[1] !== 'metadata.namespace') {
      return failure(400, 'BadRequest', `field label not supported: ${m[1]}`);
    }
    out.fields.push({ field: m[1], value: m[3].trim(), negate: m[2] === '!=' });
  }
  return out;
}

/** True when the object satisfies the selection. */
export function selects(sel: Selection, obj: K8sObject): boolean {
  if (sel.labels && !matchesSelector(sel.labels, obj.metadata.labels)) return false;
  for (const f of sel.fields) {
    const v = f.field === 'metadata.name' ? obj.metadata.name : obj.metadata.namespace ?? '';
    if ((v === f.value) === f.negate) return false;
  }
  return true;
}
