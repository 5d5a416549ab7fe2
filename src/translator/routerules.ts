/**
 * Compiles an HTTPRoute's rules once, independent of the listeners it attaches to: one entry per
 * (rule, match) with its IR match, filters, weighted backends, timeouts and retry, plus the
 * problems that go into the route's status (the first of each kind is reported).
 */
import type { K8sObject } from '../api/object.ts';
import type { IRRetry, IRTimeouts } from '../ir/types.ts';
import type { RefProblem } from './backends.ts';
import { resolveBackendRef } from './backends.ts';
import { parseDuration } from './duration.ts';
import { convertFilters } from './filters.ts';
import { convertMatch, ruleMatches } from './matches.ts';
import type { MatchResult } from './matches.ts';
import type { CompiledRoute, Ctx, RouteEntry } from './model.ts';
import { exact } from './compact.ts';

/** A compiled route and its status inputs. */
export interface CompileResult {
  route: CompiledRoute;
  /** First unresolved reference (ResolvedRefs=False). */
  refProblem?: RefProblem;
  /** First value this implementation cannot serve (Accepted=False, UnsupportedValue). */
  unsupported?: string;
}

/** What differs between the route kinds compileRoute serves (HTTPRoute, GRPCRoute). */
export interface RouteDialect {
  /** One match of a rule → IR match. */
  convertMatch(m: any): MatchResult;
  /** A last look at each finished entry (GRPCRoute: backends speak h2c, answers are gRPC's). */
  finish?(entry: RouteEntry): RouteEntry;
}

/** HTTPRoute's dialect: the default. */
export const HTTP_DIALECT: RouteDialect = { convertMatch };

/** Compiles every rule of an HTTPRoute (or a route of the same shape, in its `dialect`). */
export function compileRoute(ctx: Ctx, obj: K8sObject, dialect: RouteDialect = HTTP_DIALECT): CompileResult {
  const ns = obj.metadata.namespace ?? '';
  const res: CompileResult = {
    route: { obj, kind: obj.kind, key: `${ns}/${obj.metadata.name}`, creationTimestamp: obj.metadata.creationTimestamp, entries: [] },
  };
  const entries: RouteEntry[] = [];
  const rules: any[] = (Array.isArray(obj.spec?.rules) ? obj.spec.rules : []).map((r: any) => (r && typeof r === 'object' ? r : {}));
  rules.forEach((rule, ruleIndex) => {
    const timeouts = ruleTimeouts(rule, res);
    const retry = ruleRetry(rule, res);
    ruleMatches(rule).forEach((m, matchIndex) => {
      const converted = dialect.convertMatch(m);
      if (!converted.ok) {
        res.unsupported ??= `rule ${ruleIndex} match ${matchIndex}: ${converted.message}`;
        return;
      }
      const match = converted.match;
      const filters = convertFilters(ctx, obj, rule.filters, match);
      res.unsupported ??= filters.unsupported;
      res.refProblem ??= filters.refProblem;
      const backends = (Array.isArray(rule.backendRefs) ? rule.backendRefs : []).map((ref: any) => {
        const bf = convertFilters(ctx, obj, ref?.filters, match);
        res.unsupported ??= bf.unsupported;
        res.refProblem ??= bf.refProblem;
        const b = resolveBackendRef(ctx, obj, ref, bf.filters);
        res.refProblem ??= b.problem;
        return b.backend;
      });
      const entry: RouteEntry = {
        id: `${obj.kind}/${ns}/${obj.metadata.name}/${ruleIndex}/${matchIndex}`,
        ...(typeof rule.name === 'string' && { ruleName: rule.name }),
        ruleIndex,
        matchIndex,
        match,
        filters: filters.filters,
        backends,
        ...(timeouts && { timeouts }),
        ...(retry && { retry }),
      };
      entries.push(dialect.finish ? dialect.finish(entry) : entry);
    });
  });
  res.route = { ...res.route, entries: exact(entries) };
  return res;
}

function ruleTimeouts(rule: any, res: CompileResult): IRTimeouts | undefined {
  const t = rule?.timeouts;
  if (!t) return undefined;
  const out: { requestMs?: number; backendRequestMs?: number } = {};
  for (const [field, key] of [['request', 'requestMs'], ['backendRequest', 'backendRequestMs']] as const) {
    if (t[field] === undefined) continue;
    const ms = parseDuration(t[field]);
    if (ms instanceof Error) res.unsupported ??= `timeouts.${field}: ${ms.message}`;
    else out[key] = ms;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** attempts = retries after the first try (absent: 1); codes as given; backoff absent = none. */
function ruleRetry(rule: any, res: CompileResult): IRRetry | undefined {
  const r = rule?.retry;
  if (!r) return undefined;
  let backoffMs = 0;
  if (r.backoff !== undefined) {
    const ms = parseDuration(r.backoff);
    if (ms instanceof Error) res.unsupported ??= `retry.backoff: ${ms.message}`;
    else backoffMs = ms;
  }
  const codes = (Array.isArray(r.codes) ? r.codes : []).filter((c: unknown) => typeof c === 'number');
  return { attempts: typeof r.attempts === 'number' ? r.attempts : 1, codes, backoffMs };
}
