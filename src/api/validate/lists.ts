/**
 * List semantics the CRDs declare (x-kubernetes-list-type): in a "set" every item is distinct, in a
 * "map" every item has a distinct key (header modifiers by name, listeners by name, ...). The API
 * server rejects a duplicate with "Duplicate value"; so does Gatehouse.
 */
import { type ErrorList, type PathStep, isObject, listOf } from './types.ts';

/** A list location below spec: field names, '*' for "every item of this list". */
type Pattern = readonly string[];
interface ListRule { at: Pattern; key?: string }

const HEADER_MODIFIER = (prefix: Pattern): ListRule[] => [
  { at: [...prefix, 'add'], key: 'name' },
  { at: [...prefix, 'set'], key: 'name' },
  { at: [...prefix, 'remove'] },
];
/** Both filter locations of a route rule: on the rule and on each backendRef. */
const FILTER_SITES: Pattern[] = [['rules', '*', 'filters', '*'], ['rules', '*', 'backendRefs', '*', 'filters', '*']];
const GRPC_FILTER = FILTER_SITES.flatMap((f) => [
  ...HEADER_MODIFIER([...f, 'requestHeaderModifier']),
  ...HEADER_MODIFIER([...f, 'responseHeaderModifier']),
]);
const HTTP_FILTER = FILTER_SITES.flatMap((f) => [
  ...HEADER_MODIFIER([...f, 'requestHeaderModifier']),
  ...HEADER_MODIFIER([...f, 'responseHeaderModifier']),
  ...['allowHeaders', 'allowMethods', 'allowOrigins', 'exposeHeaders'].map((c) => ({ at: [...f, 'cors', c] })),
  { at: [...f, 'externalAuth', 'grpc', 'allowedHeaders'] },
  { at: [...f, 'externalAuth', 'http', 'allowedHeaders'] },
  { at: [...f, 'externalAuth', 'http', 'allowedResponseHeaders'] },
]);

/** Set and map lists of each kind's spec. */
const LIST_RULES: Readonly<Record<string, readonly ListRule[]>> = {
  Gateway: [{ at: ['listeners'], key: 'name' }, { at: ['tls', 'frontend', 'perPort'], key: 'port' }],
  ListenerSet: [{ at: ['listeners'], key: 'name' }],
  HTTPRoute: [
    ...HTTP_FILTER,
    { at: ['rules', '*', 'matches', '*', 'headers'], key: 'name' },
    { at: ['rules', '*', 'matches', '*', 'queryParams'], key: 'name' },
    { at: ['rules', '*', 'retry', 'codes'] },
  ],
  GRPCRoute: [...GRPC_FILTER, { at: ['rules', '*', 'matches', '*', 'headers'], key: 'name' }],
};

/** Reports every duplicate item of a set list and every duplicate key of a map list. */
export function checkListTypes(kind: string, spec: unknown, errs: ErrorList): void {
  for (const rule of LIST_RULES[kind] ?? []) {
    for (const { value, path } of locate(spec, rule.at, ['spec'])) checkList(value, path, rule.key, errs);
  }
}

function locate(node: unknown, pattern: Pattern, path: PathStep[]): { value: unknown; path: PathStep[] }[] {
  if (pattern.length === 0) return node === undefined ? [] : [{ value: node, path }];
  const [head, ...rest] = pattern;
  if (head === '*') return listOf(node).flatMap((item, i) => locate(item, rest, [...path, i]));
  return isObject(node) ? locate(node[head], rest, [...path, head]) : [];
}

function checkList(list: unknown, path: PathStep[], key: string | undefined, errs: ErrorList): void {
  const seen = new Set<string>();
  listOf(list).forEach((item, i) => {
    if (key !== undefined && !isObject(item)) return;
    const id = JSON.stringify(key === undefined ? item : item[key]);
    if (id === undefined) return;
    if (seen.has(id)) errs.add(key === undefined ? [...path, i] : [...path, i, key], `Duplicate value: ${id}`);
    seen.add(id);
  });
}
