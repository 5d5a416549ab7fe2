/**
 * Route precedence within a virtual host, as the HTTPRoute specification orders matches across
 * all routes: Exact path, then PathPrefix (longer first), then RegularExpression (implementation
 * specific: here after every prefix, longer expressions first); then a method match; then more
 * header matches; then more query matches; then the oldest route; then "namespace/name"
 * alphabetically; then rule order; then match order.
 *
 * Where the specification leaves two matches unordered because they can never both match (two
 * different Exact paths, two different prefixes of one length), the path value breaks the tie so
 * the order is total and golden files are stable.
 */
import type { IRMatch } from '../ir/types.ts';

/** What the comparator looks at. */
export interface PrecedenceKey {
  readonly match: IRMatch;
  /** RFC 3339 creation time; absent counts as newest. */
  readonly created?: string;
  /** "Kind/namespace/name" of the route. */
  readonly route: string;
  readonly ruleIndex: number;
  readonly matchIndex: number;
}

const PATH_RANK: Readonly<Record<IRMatch['path']['type'], number>> = { Exact: 0, PathPrefix: 1, RegularExpression: 2 };

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function createdMs(t: string | undefined): number {
  const ms = t === undefined ? NaN : Date.parse(t);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** Negative when `a` takes precedence over `b`. A total order. */
export function comparePrecedence(a: PrecedenceKey, b: PrecedenceKey): number {
  const pa = a.match.path;
  const pb = b.match.path;
  return (
    PATH_RANK[pa.type] - PATH_RANK[pb.type] ||
    pb.value.length - pa.value.length ||
    cmpStr(pa.value, pb.value) ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    b.match.headers.length - a.match.headers.length ||
    b.match.queryParams.length - a.match.queryParams.length ||
    compareCreated(a.created, b.created) ||
    cmpStr(a.route, b.route) ||
    a.ruleIndex - b.ruleIndex ||
    a.matchIndex - b.matchIndex
  );
}

/** Oldest creationTimestamp first; a missing or unparsable one counts as newest. */
export function compareCreated(a: string | undefined, b: string | undefined): number {
  const x = createdMs(a);
  const y = createdMs(b);
  return x === y ? 0 : x < y ? -1 : 1;
}
