/**
 * Parse + convert + validate for one file: the valid objects (in their stored version) and every
 * diagnostic, each at the line and column of the field it is about.
 */
import { keyOf, keyString } from '../../api/object.ts';
import { kindInfo } from '../../api/kinds.ts';
import { admitObject } from '../../api/admission.ts';
import { formatPath } from '../../api/validate/index.ts';
import { parseManifests, type Diagnostic, type ParsedObject } from './parse.ts';

/** The valid objects of a file and all its diagnostics; `syntaxError` when the YAML did not parse. */
export interface LoadResult {
  objects: ParsedObject[];
  diagnostics: Diagnostic[];
  /** True when some document had a syntax error: the file as a whole cannot be trusted. */
  syntaxError: boolean;
  /** Identities (see `identity`) of the objects rejected by validation, when they can be told. */
  rejected: string[];
}

/**
 * Loads one file's text. An invalid object is left out and its errors reported; valid objects of
 * the same file are kept. A second definition of the same object in the file is an error.
 */
export function loadAndValidate(text: string, file: string): LoadResult {
  const parsed = parseManifests(text, file);
  const out: LoadResult = { objects: [], diagnostics: [...parsed.diagnostics], syntaxError: parsed.diagnostics.length > 0, rejected: [] };
  const seen = new Set<string>();
  for (const p of parsed.objects) {
    const result = admitObject(p.obj);
    const { obj, conversionWarning: warning } = result;
    if (warning) {
      const pos = p.position(['apiVersion']);
      out.diagnostics.push({ file, ...pos, path: 'apiVersion', message: warning, severity: 'warning' });
    }
    for (const w of result.warnings) out.diagnostics.push({ file, ...p.position([]), path: '', message: w, severity: 'warning' });
    if (result.errors.length > 0) {
      for (const e of result.errors) {
        const pos = p.position(e.path, { key: e.message.startsWith('unknown field') });
        out.diagnostics.push({ file, ...pos, path: formatPath(e.path), message: e.message, severity: 'error' });
      }
      if (typeof obj.kind === 'string' && typeof obj.apiVersion === 'string' && typeof obj.metadata?.name === 'string') {
        out.rejected.push(identity(obj));
      }
      continue;
    }
    const id = identity(obj);
    if (seen.has(id)) {
      const pos = p.position(['metadata', 'name']);
      out.diagnostics.push({ file, ...pos, path: 'metadata.name', message: `${obj.kind} ${displayName(obj)} is defined twice in this file; the first definition is used`, severity: 'error' });
      continue;
    }
    seen.add(id);
    out.objects.push({ ...p, obj });
  }
  return out;
}

/** The store identity of a valid object (namespace defaulted as the store defaults it). */
export function identity(obj: ParsedObject['obj']): string {
  const k = keyOf(obj);
  const namespaced = kindInfo(k.group, k.kind)?.namespaced ?? true;
  return keyString({ ...k, namespace: namespaced ? k.namespace || 'default' : '' });
}

/** "namespace/name" or "name" as written. */
export function displayName(obj: ParsedObject['obj']): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
