/**
 * A list of IR filters compiled into a plan the request handler walks in a fixed order:
 * reject → CORS → redirect → request headers / URL rewrite → mirrors → forward → response headers.
 * The spec forbids combining a redirect with a rewrite, so a fixed order loses nothing.
 */
import type { IRFilter, IRPathModifier } from '../../ir/types.ts';
import { CompiledBackend } from '../compile/backends.ts';
import { compileCors, type CompiledCors } from './cors.ts';
import { compileHeaderModifier, type CompiledHeaderModifier } from './headers.ts';
import type { RedirectSpec } from './redirect.ts';

/** URLRewrite as compiled: new Host and/or path modifier. */
export interface RewriteSpec {
  readonly hostname?: string;
  readonly path?: IRPathModifier;
}

/** A mirror target and the share of requests copied to it. */
export interface MirrorSpec {
  readonly backend: CompiledBackend;
  readonly fraction: number;
}

/** Compiled filters of a route rule or of one backendRef. */
export interface FilterPlan {
  /** True when there is nothing to do: the handler skips the plan entirely. */
  readonly empty: boolean;
  readonly reject?: { readonly status: number; readonly reason: string };
  readonly cors?: CompiledCors;
  readonly redirect?: RedirectSpec;
  readonly rewrite?: RewriteSpec;
  readonly requestHeaders: readonly CompiledHeaderModifier[];
  readonly responseHeaders: readonly CompiledHeaderModifier[];
  readonly mirrors: readonly MirrorSpec[];
}

/** The plan of an empty filter list, shared. */
export const EMPTY_PLAN: FilterPlan = Object.freeze({ empty: true, requestHeaders: [], responseHeaders: [], mirrors: [] });

/**
 * Compiles the filters of one backendRef of a rule whose own filters compiled to `rule`. A backend
 * RequestRedirect answers instead of forwarding, so the rule's ResponseHeaderModifiers (which apply to
 * every response of the rule) are folded into the redirect's response: rule first, then the backend's.
 * When the backend forwards, the handler applies both plans itself, so nothing is folded.
 */
export function compileBackendFilters(filters: readonly IRFilter[], rule: FilterPlan): FilterPlan {
  const plan = compileFilters(filters);
  if (plan.redirect === undefined || plan.reject !== undefined || rule.responseHeaders.length === 0) return plan;
  return { ...plan, responseHeaders: [...rule.responseHeaders, ...plan.responseHeaders] };
}

/** Compiles filters; when a kind appears twice (which admission forbids), the first one wins. */
export function compileFilters(filters: readonly IRFilter[]): FilterPlan {
  if (filters.length === 0) return EMPTY_PLAN;
  let reject: FilterPlan['reject'];
  let cors: CompiledCors | undefined;
  let redirect: RedirectSpec | undefined;
  let rewrite: RewriteSpec | undefined;
  const requestHeaders: CompiledHeaderModifier[] = [];
  const responseHeaders: CompiledHeaderModifier[] = [];
  const mirrors: MirrorSpec[] = [];
  for (const f of filters) {
    switch (f.type) {
      case 'Reject':
        reject ??= { status: f.status, reason: f.reason };
        break;
      case 'CORS':
        cors ??= compileCors(f);
        break;
      case 'RequestRedirect':
        redirect ??= f;
        break;
      case 'URLRewrite':
        rewrite ??= { hostname: f.hostname, path: f.path };
        break;
      case 'RequestHeaderModifier':
        requestHeaders.push(compileHeaderModifier(f));
        break;
      case 'ResponseHeaderModifier':
        responseHeaders.push(compileHeaderModifier(f));
        break;
      case 'RequestMirror':
        if (f.fraction > 0) mirrors.push({ backend: new CompiledBackend(f.backend), fraction: Math.min(1, f.fraction) });
        break;
    }
  }
  return { empty: false, reject, cors, redirect, rewrite, requestHeaders, responseHeaders, mirrors };
}
