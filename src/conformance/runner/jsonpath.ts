/**
 * The jsonPath subset `k8s.expect` uses (helpers §11): dotted field names from the object root,
 * `[N]` list indexes, `['key']` / `["key"]` map keys (keys may contain dots), `[*]` every element and
 * `[?(@.field==X)]` element filters. A path with `[*]` or a filter yields a list of matches.
 */

type Segment =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; field: string[]; value: string };

/** A path that cannot be parsed. */
export class JsonPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPathError';
  }
}

function unquote(s: string): string {
  const t = s.trim();
  if ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"'))) return t.slice(1, -1);
  return t;
}

/** Splits a path into segments; throws JsonPathError on malformed input. */
export function parseJsonPath(path: string): Segment[] {
  let p = path.trim();
  // Tolerate kubectl's `{.a.b}` spelling.
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('.')) p = p.slice(1);
  const out: Segment[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      i++;
      continue;
    }
    if (c === '[') {
      const close = findClose(p, i);
      const inner = p.slice(i + 1, close);
      out.push(bracket(inner, path));
      i = close + 1;
      continue;
    }
    let j = i;
    while (j < p.length && p[j] !== '.' && p[j] !== '[') j++;
    out.push({ kind: 'field', name: p.slice(i, j) });
    i = j;
  }
  return out;
}

function findClose(p: string, open: number): number {
  let quote = '';
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new JsonPathError(`unbalanced '[' in jsonPath ${JSON.stringify(p)}`);
}

function bracket(inner: string, path: string): Segment {
  const t = inner.trim();
  if (t === '*') return { kind: 'all' };
  if (/^\d+$/.test(t)) return { kind: 'index', index: Number(t) };
  if (/^'.*'$|^".*"$/.test(t)) return { kind: 'field', name: t.slice(1, -1) };
  const f = /^\?\(\s*@\.([^=\s]+)\s*==\s*(.*?)\s*\)$/.exec(t);
  if (f) return { kind: 'filter', field: f[1].split('.'), value: unquote(f[2]) };
  throw new JsonPathError(`unsupported jsonPath segment [${inner}] in ${JSON.stringify(path)}`);
}

function fieldOf(v: unknown, name: string): unknown {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[name] : undefined;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The result of evaluating a path: `found` false when some segment did not exist. */
export interface JsonPathResult {
  found: boolean;
  value: unknown;
  /** True when the path contains `[*]` or a filter, so `value` is a list of matches. */
  multi: boolean;
}

/** Evaluates `path` against `root`. */
export function evalJsonPath(root: unknown, path: string): JsonPathResult {
  const segs = parseJsonPath(path);
  let current: unknown[] = [root];
  let multi = false;
  for (const seg of segs) {
    const next: unknown[] = [];
    for (const v of current) {
      if (seg.kind === 'field') {
        const f = fieldOf(v, seg.name);
        if (f !== undefined) next.push(f);
      } else if (seg.kind === 'index') {
        if (Array.isArray(v) && seg.index < v.length) next.push(v[seg.index]);
      } else if (Array.isArray(v)) {
        if (seg.kind === 'all') next.push(...v);
        else next.push(...v.filter((e) => scalarText(seg.field.reduce<unknown>((o, k) => fieldOf(o, k), e)) === seg.value));
      }
    }
    if (seg.kind === 'all' || seg.kind === 'filter') multi = true;
    current = next;
    if (!multi && current.length === 0) return { found: false, value: undefined, multi };
  }
  return multi ? { found: true, value: current, multi } : { found: true, value: current[0], multi };
}
