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
    locate(spec, rule.at, 0, ['spec'], (value, path) => checkList(value, path, rule.key, errs));
  }
}

/**
 * Calls `found` for every value at `pattern` (from step `at` on) below `node`. `path` is the path of
 * `node`, extended in place while walking (validation runs on every object loaded: no copies per
 * step); `found` gets its own copy.
 */
function locate(node: unknown, pattern: Pattern, at: number, path: PathStep[], found: (value: unknown, path: PathStep[]) => void): void {
  if (at === pattern.length) {
    if (node !== undefined) found(node, [...path]);
    return;
  }
  const head = pattern[at];
  if (head === '*') {
    const items = listOf(node);
    for (let i = 0; i < items.length; i++) {
      path.push(i);
      locate(items[i], pattern, at + 1, path, found);
      path.pop();
    }
    return;
  }
  if (!isObject(node) || node[head] === undefined) return;
  path.push(head);
  locate(node[head], pattern, at + 1, path, found);
  path.pop();
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
