/**
 * ObjectMeta checks: a name valid for the kind, a valid namespace, string maps of labels and
 * annotations with valid keys, and no unknown fields.
 */
import { type ErrorList, isObject } from './types.ts';
import { METADATA_FIELDS, unknownFields } from './fields.ts';
import { keyProblem, labelValueProblem, nameProblem, type NameFormat } from './names.ts';
import { quote } from './schema.ts';

/** The name format each kind requires; the rest use DNS-1123 subdomains. */
const NAME_FORMAT: Readonly<Record<string, NameFormat>> = {
  Namespace: 'dns1123-label',
  Service: 'dns1035-label',
};

/** Checks `obj.metadata` for an object of `kind`. */
export function checkMetadata(kind: string, meta: unknown, errs: ErrorList): void {
  if (!isObject(meta)) {
    errs.add(['metadata'], meta === undefined ? 'Required value' : `Invalid value: ${quote(meta)}: must be of type object`);
    return;
  }
  unknownFields(meta, METADATA_FIELDS, ['metadata'], errs.errors);
  if (meta.name === undefined || meta.name === '') {
    errs.add(['metadata', 'name'], 'Required value: name is required');
  } else if (typeof meta.name !== 'string') {
    errs.add(['metadata', 'name'], `Invalid value: ${quote(meta.name)}: must be of type string`);
  } else {
    const p = nameProblem(meta.name, NAME_FORMAT[kind] ?? 'dns1123-subdomain');
    if (p) errs.add(['metadata', 'name'], `Invalid value: ${quote(meta.name)}: ${p}`);
  }
  if (meta.namespace !== undefined) {
    const p = typeof meta.namespace === 'string' ? nameProblem(meta.namespace, 'dns1123-label') : 'must be of type string';
    if (p) errs.add(['metadata', 'namespace'], `Invalid value: ${quote(meta.namespace)}: ${p}`);
  }
  checkStringMap(meta.labels, 'labels', errs);
  checkStringMap(meta.annotations, 'annotations', errs);
}

function checkStringMap(map: unknown, field: 'labels' | 'annotations', errs: ErrorList): void {
  if (map === undefined) return;
  if (!isObject(map)) {
    errs.add(['metadata', field], `Invalid value: ${quote(map)}: must be a map of strings`);
    return;
  }
  for (const [k, v] of Object.entries(map)) {
    const path = ['metadata', field, k];
    const kp = keyProblem(k);
    if (kp) errs.add(path, `Invalid value: ${JSON.stringify(k)}: ${kp}`);
    if (typeof v !== 'string') {
      errs.add(path, `Invalid value: ${quote(v)}: must be of type string`);
    } else if (field === 'labels') {
      const vp = labelValueProblem(v);
      if (vp) errs.add(path, `Invalid value: ${JSON.stringify(v)}: ${vp}`);
    }
  }
}
