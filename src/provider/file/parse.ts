/**
 * Manifests with positions: multi-document YAML (and JSON, a single object or a `kind: List`) parsed
 * into objects that remember where each of their fields was written, so that an error names
 * `file:line:col` of the offending value.
 */
import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, isPair, type Document, type Node } from 'yaml';
import type { K8sObject } from '../../api/object.ts';
import type { PathStep } from '../../api/validate/types.ts';

export { loadAndValidate, type LoadResult } from './load.ts';

/** A 1-based line and column. */
export interface Position {
  line: number;
  col: number;
}

/** One object read from a file. */
export interface ParsedObject {
  obj: K8sObject;
  file: string;
  /** The YAML document index (or List item index) the object came from. */
  docIndex: number;
  /**
   * Where the field at `path` was written: the value's position (for a list or map value, its
   * key's), falling back to the nearest ancestor that exists. With `key`, the key's position.
   */
  position(path: readonly PathStep[], opts?: { key?: boolean }): Position;
}

/** One finding about a file. `path` is empty for syntax errors. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

/** What parsing a file gives: the objects found and what was wrong. */
export interface ParseResult {
  objects: ParsedObject[];
  diagnostics: Diagnostic[];
}

/** `file:line:col: path: reason` (or `file:line:col: reason` when there is no path). */
export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.col}`;
  const prefix = d.severity === 'warning' ? 'warning: ' : '';
  return d.path ? `${where}: ${prefix}${d.path}: ${d.message}` : `${where}: ${prefix}${d.message}`;
}

/** Parses every document of `text`. A document with a syntax error yields a diagnostic, not an object. */
export function parseManifests(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const out: ParseResult = { objects: [], diagnostics: [] };
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    // parseAllDocuments reports problems per document; this only guards against the unexpected.
    out.diagnostics.push({ file, line: 1, col: 1, path: '', message: String((err as Error).message), severity: 'error' });
    return out;
  }
  if (!Array.isArray(docs)) docs = [docs];
  docs.forEach((doc, docIndex) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
        out.diagnostics.push({ file, line: pos.line, col: pos.col, path: '', message: firstLine(e.message), severity: 'error' });
      }
      return;
    }
    addDocument(doc, docIndex, file, lineCounter, out);
  });
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}

function addDocument(doc: Document.Parsed, docIndex: number, file: string, lc: LineCounter, out: ParseResult): void {
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return; // an empty document
  const value = doc.toJS({ maxAliasCount: 100 });
  const at = (node: Node | null | undefined): Position => {
    const offset = node?.range?.[0] ?? 0;
    return lc.linePos(offset);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const p = at(root);
    out.diagnostics.push({ file, line: p.line, col: p.col, path: '', message: 'a manifest must be a map (an object with apiVersion, kind and metadata)', severity: 'error' });
    return;
  }
  if (value.kind === 'List' && Array.isArray(value.items)) {
    value.items.forEach((item: unknown, i: number) => {
      const position = positionFinder(root, ['items', i], at);
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        const p = position([]);
        out.diagnostics.push({ file, line: p.line, col: p.col, path: '', message: `List item ${i} is not an object`, severity: 'error' });
        return;
      }
      out.objects.push({ obj: item as K8sObject, file, docIndex: i, position });
    });
    return;
  }
  out.objects.push({ obj: value as K8sObject, file, docIndex, position: positionFinder(root, [], at) });
}

/** Builds the `position` function of one object whose root is at `prefix` below `root`. */
function positionFinder(root: Node, prefix: PathStep[], at: (n: Node | null | undefined) => Position) {
  return (path: readonly PathStep[], opts: { key?: boolean } = {}): Position => {
    let node: Node = root;
    let key: Node | null = null;
    for (const step of [...prefix, ...path]) {
      const next = child(node, step);
      if (!next) break; // the nearest existing ancestor
      node = next.value;
      key = next.key;
    }
    const collection = isMap(node) || isSeq(node);
    if (key && (opts.key || collection)) return at(key);
    return at(node);
  };
}

/** The child node at `step` of a map or sequence node, with the key node for map entries. */
function child(node: Node, step: PathStep): { key: Node | null; value: Node } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as Node | null;
      const name = isScalar(k) ? String(k.value) : undefined;
      if (name === String(step) && pair.value) return { key: k, value: pair.value as Node };
      if (name === String(step)) return { key: k, value: k as Node };
    }
    return undefined;
  }
  if (isSeq(node) && typeof step === 'number') {
    const item = node.items[step] as Node | undefined;
    return item ? { key: null, value: item } : undefined;
  }
  return undefined;
}
