/**
 * HTTPRoute filters → IR filters. Filters the IR cannot honour (ExtensionRef: Gatehouse defines no
 * extension kinds; ExternalAuth: not implemented) become a Reject filter so matching requests get a
 * 500 instead of silently skipping the filter, as the specification requires. Unknown filter types
 * make the route unacceptable (UnsupportedValue).
 */
import type { K8sObject } from '../api/object.ts';
import type { IRFilter, IRHeaderModifier, IRMatch, IRPathModifier } from '../ir/types.ts';
import type { RefProblem } from './backends.ts';
import { resolveBackendRef } from './backends.ts';
import type { Ctx } from './model.ts';

/** Converted filters, plus what they contribute to the route's status. */
export interface FiltersResult {
  filters: IRFilter[];
  /** A RequestMirror backend that does not resolve. */
  refProblem?: RefProblem;
  /** A filter type this implementation does not know (Accepted=False, UnsupportedValue). */
  unsupported?: string;
}

function pairs(list: any): (readonly [string, string])[] {
  return (Array.isArray(list) ? list : []).map((h: any) => [String(h?.name ?? ''), String(h?.value ?? '')] as const);
}

function headerModifier(m: any): IRHeaderModifier {
  const remove = (Array.isArray(m?.remove) ? m.remove : []).map((n: any) => String(n).toLowerCase());
  return { set: pairs(m?.set), add: pairs(m?.add), remove };
}

/** A path modifier, or an error message when ReplacePrefixMatch is used without a PathPrefix match. */
function pathModifier(p: any, match: IRMatch): IRPathModifier | string | undefined {
  if (!p) return undefined;
  if (p.type === 'ReplaceFullPath') return { type: 'ReplaceFullPath', value: String(p.replaceFullPath ?? '') };
  if (p.type === 'ReplacePrefixMatch') {
    if (match.path.type !== 'PathPrefix') return 'ReplacePrefixMatch needs a PathPrefix match';
    return { type: 'ReplacePrefixMatch', value: String(p.replacePrefixMatch ?? '/'), prefix: match.path.value };
  }
  return `unsupported path modifier type "${String(p.type)}"`;
}

function reject(reason: string): IRFilter {
  return { type: 'Reject', status: 500, reason };
}

/** Converts the filters of a rule (or of a backendRef) for one match of the rule. */
export function convertFilters(ctx: Ctx, route: K8sObject, list: any, match: IRMatch): FiltersResult {
  const res: FiltersResult = { filters: [] };
  for (const f of Array.isArray(list) ? list : []) {
    const out = convertFilter(ctx, route, f, match, res);
    if (out) res.filters.push(out);
  }
  if (res.filters.length === 0) res.filters = NO_FILTERS; // most rules and backends have none
  return res;
}

/** The filters of every entry without any (shared, frozen: thousands of routes keep one per entry and backend). */
const NO_FILTERS = Object.freeze([]) as unknown as IRFilter[];

function convertFilter(ctx: Ctx, route: K8sObject, f: any, match: IRMatch, res: FiltersResult): IRFilter | undefined {
  switch (f?.type) {
    case 'RequestHeaderModifier':
      return { type: 'RequestHeaderModifier', ...headerModifier(f.requestHeaderModifier) };
    case 'ResponseHeaderModifier':
      return { type: 'ResponseHeaderModifier', ...headerModifier(f.responseHeaderModifier) };
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const path = pathModifier(r.path, match);
      if (typeof path === 'string') return reject(path);
      return {
        type: 'RequestRedirect',
        ...(r.scheme !== undefined && { scheme: String(r.scheme) }),
        ...(r.hostname !== undefined && { hostname: String(r.hostname) }),
        ...(typeof r.port === 'number' && { port: r.port }),
        ...(path && { path }),
        statusCode: typeof r.statusCode === 'number' ? r.statusCode : 302,
      };
    }
    case 'URLRewrite': {
      const r = f.urlRewrite ?? {};
      const path = pathModifier(r.path, match);
      if (typeof path === 'string') return reject(path);
      return { type: 'URLRewrite', ...(r.hostname !== undefined && { hostname: String(r.hostname) }), ...(path && { path }) };
    }
    case 'RequestMirror': {
      const m = f.requestMirror ?? {};
      const { backend, problem } = resolveBackendRef(ctx, route, m.backendRef, []);
      if (problem && !res.refProblem) res.refProblem = problem;
      return { type: 'RequestMirror', backend: { ...backend, weight: 1 }, fraction: mirrorFraction(m) };
    }
    case 'CORS': {
      const c = f.cors ?? {};
      const strings = (v: any) => (Array.isArray(v) ? v.map(String) : []);
      return {
        type: 'CORS',
        allowOrigins: strings(c.allowOrigins),
        allowCredentials: c.allowCredentials === true,
        allowMethods: strings(c.allowMethods),
        allowHeaders: strings(c.allowHeaders),
        exposeHeaders: strings(c.exposeHeaders),
        maxAge: typeof c.maxAge === 'number' ? c.maxAge : 5,
      };
    }
    case 'ExtensionRef': {
      const e = f.extensionRef ?? {};
      return reject(`ExtensionRef ${e.group || 'core'}/${e.kind} ${e.name} is not supported`);
    }
    case 'ExternalAuth':
      return reject('ExternalAuth filters are not supported');
    default:
      res.unsupported ??= `unsupported filter type "${String(f?.type)}"`;
      return undefined;
  }
}

/** percent (0..100) or fraction (numerator/denominator, default 100) → 0..1; default: all requests. */
function mirrorFraction(m: any): number {
  if (typeof m.percent === 'number') return clamp(m.percent / 100);
  if (m.fraction && typeof m.fraction.numerator === 'number') {
    const d = typeof m.fraction.denominator === 'number' && m.fraction.denominator > 0 ? m.fraction.denominator : 100;
    return clamp(m.fraction.numerator / d);
  }
  return 1;
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, x));
}
