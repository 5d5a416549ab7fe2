/**
 * GatewayClass pass: decides which classes are ours and whether each is Accepted.
 * A class is ours iff spec.controllerName equals the controller name we serve; classes of other
 * controllers get no status from us and their Gateways are ignored.
 */
import { GATEWAY_GROUP, kindInfo } from '../api/kinds.ts';
import { keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { ClassReason, CondType, cond } from '../status/conditions.ts';
import { SUPPORTED_FEATURES } from './features.ts';
import type { Ctx } from './model.ts';

/** What the Gateway pass needs to know about one of our classes. */
export interface ClassState {
  readonly obj: K8sObject;
  readonly accepted: boolean;
  /** Why it is not accepted (for the Gateways' messages). */
  readonly message: string;
}

/** Our GatewayClasses by name; reports each one's status. */
export function processGatewayClasses(ctx: Ctx): Map<string, ClassState> {
  const out = new Map<string, ClassState>();
  for (const gc of ctx.snap.list(GATEWAY_GROUP, 'GatewayClass')) {
    if (gc.spec?.controllerName !== ctx.env.controllerName) continue;
    const problem = parametersProblem(ctx, gc.spec?.parametersRef, '');
    const accepted = problem === undefined;
    const message = problem ?? 'GatewayClass is accepted';
    const condition = cond(CondType.Accepted, accepted, accepted ? ClassReason.Accepted : ClassReason.InvalidParameters, message);
    ctx.report.classes.set(keyString(keyOf(gc)), {
      obj: gc,
      conditions: [condition],
      supportedFeatures: accepted ? SUPPORTED_FEATURES : [],
    });
    out.set(gc.metadata.name, { obj: gc, accepted, message });
  }
  return out;
}

/**
 * Why a parametersRef is invalid, or undefined when it is fine (or absent). `defaultNamespace` is
 * where a namespaced referent lives when the reference does not say (the Gateway's namespace for
 * Gateway infrastructure parameters).
 *
 * Gatehouse defines no parameter kinds of its own, so any existing object is accepted (its
 * content is not interpreted); a reference to an object that does not exist is invalid.
 */
export function parametersProblem(ctx: Ctx, ref: any, defaultNamespace: string): string | undefined {
  if (!ref) return undefined;
  const group = ref.group ?? '';
  const kind = String(ref.kind ?? '');
  const info = kindInfo(group, kind);
  const ns = info?.namespaced ? String(ref.namespace ?? defaultNamespace) : '';
  const found = info ? ctx.snap.get(group, kind, ns, String(ref.name ?? '')) : undefined;
  if (found) return undefined;
  const where = ns ? `${ns}/${ref.name}` : String(ref.name);
  return `parametersRef ${group || 'core'}/${kind} ${where} not found`;
}
