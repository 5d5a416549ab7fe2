/**
 * Parse + convert + validate for one file: the valid objects (in their stored version) and every
 * diagnostic, each at the line and column of the field it is about.
 */
import { keyOf, keyString } from '../../api/object.ts';
import { kindInfo } from '../../api/kinds.ts';
import { admitObject } from '../../api/admission.ts';
import { formatPath } from '../../api/validate/index.ts';
import { parseManifests, type Diagnostic, type ParsedObject, type Position } from './parse.ts';
import { parseJsonDocuments } from './json-docs.ts';

/** The valid objects of a file and all its diagnostics; `syntaxError` when the YAML did not parse. */
export interface LoadResult {
  objects: ParsedObject[];
  diagnostics: Diagnostic[];
  /** True when some document had a syntax error: the file as a whole cannot be trusted. */
  syntaxError: boolean;
  /** Identities (see `identity`) of the objects rejected by validation, when they can be told. */
  rejected: string[];
  /**
   * True when positions are at hand (the YAML tree was built). False after the JSON fast path: each
   * `position` call then parses the file again, so callers should ask only when they must.
   */
  positionsAtHand: boolean;
}

/**
 * Loads one file's text. An invalid object is left out and its errors reported; valid objects of
 * the same file are kept. A second definition of the same object in the file is an error.
 * A file of plain JSON documents is read without building a YAML tree; the first position asked
 * for builds it, so every diagnostic still carries its exact position.
 */
export function loadAndValidate(text: string, file: string): LoadResult {
  return loadJson(text, file) ?? admitAll(parseManifests(text, file), file, true);
}

/** The JSON fast path: objects whose positions are found on demand (undefined when not JSON). */
function loadJson(text: string, file: string): LoadResult | undefined {
  const docs = parseJsonDocuments(text);
  if (!docs) return undefined;
  let tree: ReturnType<typeof parseManifests> | undefined;
  const objects: ParsedObject[] = [];
  const add = (obj: unknown, docIndex: number, at: number) => {
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return false;
    const position = (path: Parameters<ParsedObject['position']>[0], opts?: { key?: boolean }): Position => {
      tree ??= parseManifests(text, file); // the same text: the same objects, in the same order
      return tree.objects[at]?.position(path, opts) ?? { line: 1, col: 1 };
    };
    objects.push({ obj: obj as ParsedObject['obj'], file, docIndex, position });
    return true;
  };
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d] as { kind?: unknown; items?: unknown };
    if (doc.kind === 'List' && Array.isArray(doc.items)) {
      for (let i = 0; i < doc.items.length; i++) if (!add(doc.items[i], i, objects.length)) return undefined;
    } else if (!add(doc, d, objects.length)) return undefined;
  }
  return admitAll({ objects, diagnostics: [] }, file, false);
}

/** Admission of every parsed object: the valid ones, and a diagnostic at the position of each problem. */
function admitAll(parsed: ReturnType<typeof parseManifests>, file: string, positionsAtHand: boolean): LoadResult {
  const out: LoadResult = { objects: [], diagnostics: [...parsed.diagnostics], syntaxError: parsed.diagnostics.length > 0, rejected: [], positionsAtHand };
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
