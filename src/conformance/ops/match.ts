/**
 * The status-matching rules every kubernetes.* op shares (helpers §0.2–§0.4): condition matching,
 * the latest-generation rule, route parent matching and listener status matching. Pure functions.
 */

/** A condition as expected by a test (`""` status/reason = any). */
export interface ExpectedCondition {
  type: string;
  status?: string;
  reason?: string;
}

/** helpers §0.2 findCondition: exact type, status and reason unless `""`/absent. */
export function findCondition(list: readonly any[] | undefined, type: string, status = '', reason = ''): boolean {
  return (list ?? []).some((c) => c?.type === type && (!status || c.status === status) && (!reason || c.reason === reason));
}

/** helpers §0.2 conditionsMatch: at least as many actual as expected, every expected one found. */
export function conditionsMatch(expected: readonly ExpectedCondition[] | undefined, actual: readonly any[] | undefined): boolean {
  const exp = expected ?? [];
  const act = actual ?? [];
  if (act.length < exp.length) return false;
  return exp.every((e) => findCondition(act, e.type, e.status ?? '', e.reason ?? ''));
}

/** helpers §0.2 latestGeneration: every condition observed the object's current generation. */
export function latestGeneration(obj: any, conditions: readonly any[] | undefined): boolean {
  const gen = obj?.metadata?.generation;
  return (conditions ?? []).every((c) => c?.observedGeneration === gen);
}

/** Equal as optional values: both absent, or both present and equal. */
function optionalEqual(a: unknown, b: unknown): boolean {
  const aSet = a !== undefined && a !== null;
  const bSet = b !== undefined && b !== null;
  if (!aSet || !bSet) return aSet === bSet;
  return a === b;
}

/** helpers §0.3: does one actual RouteParentStatus match an expected one? */
export function parentMatches(expected: any, actual: any, namespaceRequired: boolean): boolean {
  const e = expected?.parentRef ?? {};
  const a = actual?.parentRef ?? {};
  if (expected?.controllerName !== actual?.controllerName) return false;
  if (!optionalEqual(e.group, a.group) || !optionalEqual(e.kind, a.kind)) return false;
  if (e.name !== a.name) return false;
  const nsAbsent = a.namespace === undefined || a.namespace === null;
  if (!optionalEqual(e.namespace, a.namespace) && (namespaceRequired || !nsAbsent)) return false;
  return conditionsMatch(expected?.conditions, actual?.conditions);
}

/** helpers §0.3 parentsForRouteMatch: every expected parent matched by some actual entry. */
export function parentsForRouteMatch(expected: readonly any[], actual: readonly any[] | undefined, namespaceRequired: boolean): boolean {
  return expected.every((e) => (actual ?? []).some((a) => parentMatches(e, a, namespaceRequired)));
}

const DEFAULT_GROUP = 'gateway.networking.k8s.io';

function kindsMatch(expected: readonly any[] | undefined, actual: readonly any[] | undefined): boolean {
  const exp = expected ?? [];
  const act = actual ?? [];
  if (exp.length === 0) return act.length === 0;
  return exp.every((e) => act.some((a) => (a?.group ?? DEFAULT_GROUP) === (e?.group ?? DEFAULT_GROUP) && a?.kind === e?.kind));
}

/**
 * helpers §0.4: status.listeners has exactly the expected entries (by name), with the expected
 * supported kinds (actual may list more), attachedRoutes and conditions. Returns why not, or "".
 */
export function listenersMismatch(expected: readonly any[], actual: readonly any[] | undefined): string {
  const act = actual ?? [];
  if (act.length !== expected.length) return `expected ${expected.length} listener statuses, got ${act.length}`;
  for (const e of expected) {
    const a = act.find((l) => l?.name === e?.name);
    if (!a) return `listener ${e?.name} missing from status`;
    if (!kindsMatch(e.supportedKinds, a.supportedKinds)) return `listener ${e.name}: supportedKinds ${JSON.stringify(a.supportedKinds ?? [])} do not match ${JSON.stringify(e.supportedKinds ?? [])}`;
    if ((a.attachedRoutes ?? 0) !== (e.attachedRoutes ?? 0)) return `listener ${e.name}: attachedRoutes ${a.attachedRoutes ?? 0}, expected ${e.attachedRoutes ?? 0}`;
    if (!conditionsMatch(e.conditions, a.conditions)) return `listener ${e.name}: conditions ${summarize(a.conditions)} do not match ${summarize(e.conditions)}`;
  }
  return '';
}

/** "Accepted=True/Accepted, ..." for failure messages. */
export function summarize(conditions: readonly any[] | undefined): string {
  const list = conditions ?? [];
  if (list.length === 0) return '[]';
  return '[' + list.map((c) => `${c?.type}=${c?.status || '*'}/${c?.reason || '*'}`).join(', ') + ']';
}

/** Splits "ns/name" (or "name", "/name" for cluster-scoped objects). */
export function splitNN(nn: string): { namespace: string; name: string } {
  const i = nn.indexOf('/');
  return i < 0 ? { namespace: '', name: nn } : { namespace: nn.slice(0, i), name: nn.slice(i + 1) };
}
