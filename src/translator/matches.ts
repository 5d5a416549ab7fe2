/**
 * HTTPRoute matches → IR matches: defaults (PathPrefix "/"), normalisation (prefix without
 * trailing slash, lower-case header names, upper-case method), first-wins for repeated header and
 * query names, and RE2 syntax checks for regular expressions (the data plane compiles them with RE2).
 */
import { RE2JS } from 're2js';
import type { IRMatch, IRPathMatch, IRStringMatch } from '../ir/types.ts';

/** A converted match or why it cannot be served. */
export type MatchResult = { ok: true; match: IRMatch } | { ok: false; message: string };

/** The matches of a rule; an absent or empty list is one match-all. */
export function ruleMatches(rule: any): any[] {
  return Array.isArray(rule?.matches) && rule.matches.length > 0 ? rule.matches : [{}];
}

/** Why `value` is not an RE2 expression the data plane can compile, or undefined when it is one. */
export function regexProblem(value: string): string | undefined {
  try {
    RE2JS.compile(value);
    return undefined;
  } catch (e) {
    return `invalid regular expression "${value}": ${(e as Error).message}`;
  }
}

function convertPath(p: any): IRPathMatch | string {
  const type = p?.type ?? 'PathPrefix';
  const value = typeof p?.value === 'string' ? p.value : '/';
  if (type === 'Exact') return { type, value };
  if (type === 'PathPrefix') {
    const trimmed = value.length > 1 ? value.replace(/\/+$/, '') : value;
    return { type, value: trimmed || '/' };
  }
  if (type === 'RegularExpression') return regexProblem(value) ?? { type, value };
  return `unsupported path match type "${type}"`;
}

/** Header or query parameter matches → IR string matches, or the first problem found. */
export function convertStrings(list: any, lower: boolean, what: string): IRStringMatch[] | string {
  const out: IRStringMatch[] = [];
  const seen = new Set<string>();
  for (const h of Array.isArray(list) ? list : []) {
    const raw = String(h?.name ?? '');
    const name = lower ? raw.toLowerCase() : raw;
    // Repeated names: only the first entry counts, as the specification says.
    if (seen.has(name)) continue;
    seen.add(name);
    const type = h?.type ?? 'Exact';
    const value = String(h?.value ?? '');
    if (type !== 'Exact' && type !== 'RegularExpression') return `unsupported ${what} match type "${type}"`;
    if (type === 'RegularExpression') {
      const bad = regexProblem(value);
      if (bad) return bad;
    }
    out.push({ name, type, value });
  }
  return out.length > 0 ? out : NO_STRINGS;
}

/** The header and query conditions of a match without any (shared, frozen: thousands of routes have none). */
const NO_STRINGS = Object.freeze([]) as unknown as IRStringMatch[];

/** Converts one HTTPRouteMatch. */
export function convertMatch(m: any): MatchResult {
  const path = convertPath(m?.path);
  if (typeof path === 'string') return { ok: false, message: path };
  const headers = convertStrings(m?.headers, true, 'header');
  if (typeof headers === 'string') return { ok: false, message: headers };
  const queryParams = convertStrings(m?.queryParams, false, 'query parameter');
  if (typeof queryParams === 'string') return { ok: false, message: queryParams };
  const match: IRMatch = typeof m?.method === 'string'
    ? { path, method: m.method.toUpperCase(), headers, queryParams }
    : { path, headers, queryParams };
  return { ok: true, match };
}
