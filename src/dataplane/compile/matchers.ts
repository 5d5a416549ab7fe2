/**
 * Request matchers compiled from IR match conditions. Each is a small object with a `kind` tag so the router's
 * hot loop is a switch over plain data (stable shapes, no per-request closures).
 */
import type { IRPathMatch, IRStringMatch } from '../../ir/types.ts';
import { normalisePath } from '../router/normalize.ts';
import { compileUserRegex, type LinearRegex } from './regex.ts';

/** A compiled path condition. `value` is normalised: PathPrefix values carry no trailing slash ("/" → ""). */
export type PathMatcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'regex'; readonly regex: LinearRegex }
  /** A regex that failed to compile: it matches everything, and the route answers 500 (fail closed). */
  | { readonly kind: 'broken' };

/** A compiled header or query-parameter condition. */
export type ValueMatcher =
  | { readonly kind: 'exact'; readonly name: string; readonly value: string }
  | { readonly kind: 'regex'; readonly name: string; readonly regex: LinearRegex }
  | { readonly kind: 'broken'; readonly name: string };

/** A compiled condition plus the compile errors met while building it (empty when healthy). */
export interface Compiled<T> {
  readonly matcher: T;
  readonly errors: string[];
}

/** Strips the trailing slash of a PathPrefix value: "/foo/" and "/foo" both mean the segment "foo"; "/" → "". */
export function normalisePrefix(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 47 /* / */) end--;
  return value.slice(0, end);
}

/** Compiles an IR path match. Exact and PathPrefix values are brought to the normal form requests are matched in. */
export function compilePath(m: IRPathMatch): Compiled<PathMatcher> {
  switch (m.type) {
    case 'Exact':
      return { matcher: { kind: 'exact', value: normalisePath(m.value) }, errors: [] };
    case 'PathPrefix':
      return { matcher: { kind: 'prefix', value: normalisePrefix(normalisePath(m.value)) }, errors: [] };
    case 'RegularExpression': {
      const r = compileUserRegex(m.value);
      return r.ok ? { matcher: { kind: 'regex', regex: r.regex }, errors: [] } : { matcher: { kind: 'broken' }, errors: [`path: ${r.error}`] };
    }
  }
}

/** True when `path` satisfies the matcher. PathPrefix matches on segment boundaries only. */
export function matchPath(m: PathMatcher, path: string): boolean {
  switch (m.kind) {
    case 'exact':
      return path === m.value;
    case 'prefix': {
      const v = m.value;
      if (v.length === 0) return true;
      if (!path.startsWith(v)) return false;
      return path.length === v.length || path.charCodeAt(v.length) === 47 /* / */;
    }
    case 'regex':
      return m.regex.test(path);
    case 'broken':
      return true;
  }
}

/**
 * Compiles header or query conditions. Per the spec only the first condition of a given name counts
 * (`fold` lower-cases names for headers, whose names are case-insensitive).
 */
export function compileValueMatchers(list: readonly IRStringMatch[], what: string, fold: boolean): Compiled<ValueMatcher[]> {
  const seen = new Set<string>();
  const out: ValueMatcher[] = [];
  const errors: string[] = [];
  for (const m of list) {
    const name = fold ? m.name.toLowerCase() : m.name;
    if (seen.has(name)) continue;
    seen.add(name);
    if (m.type === 'Exact') {
      out.push({ kind: 'exact', name, value: m.value });
      continue;
    }
    const r = compileUserRegex(m.value);
    if (r.ok) out.push({ kind: 'regex', name, regex: r.regex });
    else {
      out.push({ kind: 'broken', name });
      errors.push(`${what} ${JSON.stringify(name)}: ${r.error}`);
    }
  }
  return { matcher: out, errors };
}

/** True when a present value satisfies the matcher; an absent value (undefined) only satisfies a broken one. */
export function matchValue(m: ValueMatcher, value: string | undefined): boolean {
  if (m.kind === 'broken') return true;
  if (value === undefined) return false;
  switch (m.kind) {
    case 'exact':
      return value === m.value;
    case 'regex':
      return m.regex.test(value);
  }
}
