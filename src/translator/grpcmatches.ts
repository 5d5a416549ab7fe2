/**
 * GRPCRoute matches → IR matches. A gRPC call is an HTTP/2 POST to "/<service>/<method>", so the
 * method match becomes a path match on that form:
 *
 *   Exact, service and method   → Exact "/service/method"
 *   Exact, service only         → PathPrefix "/service" (every method of the service)
 *   Exact, method only          → RegularExpression "/[^/]+/method" (that method of any service)
 *   RegularExpression           → RegularExpression "/(?:service)/(?:method)", a missing side "[^/]+"
 *   no method match             → RegularExpression "/.*" (every call)
 *
 * These shapes make the shared precedence comparator (precedence.ts: Exact, then PathPrefix, then
 * expressions, longer first) order GRPCRoute matches as the specification asks — more characters in
 * the service, then in the method, then more header matches. Two matches that can both hold for one
 * call either share their service, and the one naming a method (Exact) beats the one that does not
 * (PathPrefix); or one names no service and loses to the one that does (expressions rank last). A
 * method-only expression beats the match-all, which is why the match-all is the shortest expression
 * rather than PathPrefix "/" (a prefix would outrank every expression). The order among user regular
 * expressions is implementation-specific, as the specification allows. HTTPRoutes never share a
 * virtual host with GRPCRoutes (crossserving.ts), so the two orders never mix.
 */
import type { IRMatch, IRPathMatch } from '../ir/types.ts';
import { convertStrings, regexProblem } from './matches.ts';
import type { MatchResult } from './matches.ts';

/** Any one path segment: the side of "/service/method" a match leaves open. */
const ANY_SEGMENT = '[^/]+';

/** Every call; the shortest expression so that it ranks after every other match (see above). */
const MATCH_ALL: IRPathMatch = { type: 'RegularExpression', value: '/.*' };

/** Escapes RE2 metacharacters so a literal name can sit inside an expression. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The path match of a GRPCMethodMatch, or why it cannot be served. */
export function methodPath(m: any): IRPathMatch | string {
  if (m === undefined || m === null) return MATCH_ALL;
  const type = m.type ?? 'Exact';
  const service = nonEmpty(m.service);
  const method = nonEmpty(m.method);
  if (type === 'Exact') {
    if (service !== undefined && method !== undefined) return { type: 'Exact', value: `/${service}/${method}` };
    if (service !== undefined) return { type: 'PathPrefix', value: `/${service}` };
    if (method !== undefined) return { type: 'RegularExpression', value: `/${ANY_SEGMENT}/${escapeRegex(method)}` };
    return MATCH_ALL;
  }
  if (type === 'RegularExpression') {
    for (const side of [service, method]) {
      const bad = side === undefined ? undefined : regexProblem(side);
      if (bad !== undefined) return bad;
    }
    if (service === undefined && method === undefined) return MATCH_ALL;
    // Grouped so an alternation in one side cannot swallow the separator or the other side.
    return { type: 'RegularExpression', value: `/(?:${service ?? ANY_SEGMENT})/(?:${method ?? ANY_SEGMENT})` };
  }
  return `unsupported method match type "${String(type)}"`;
}

/** Converts one GRPCRouteMatch. GRPCRoute has no query or HTTP method matches. */
export function convertGRPCMatch(m: any): MatchResult {
  const path = methodPath(m?.method);
  if (typeof path === 'string') return { ok: false, message: path };
  const headers = convertStrings(m?.headers, true, 'header');
  if (typeof headers === 'string') return { ok: false, message: headers };
  const match: IRMatch = { path, headers, queryParams: [] };
  return { ok: true, match };
}
