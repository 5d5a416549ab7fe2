/**
 * The names people type for a kind: plural (REST), singular, Kind, and short names. Discovery
 * serves them so tools can resolve kinds, and the CLI resolves `gtw`, `httproutes`, `GatewayClass`
 * with the same table, so both always agree.
 */
import { KINDS, type KindInfo } from '../api/kinds.ts';

/**
 * Short names per "group/Kind". Gateway API ones follow the upstream CRDs (plus `gw`, which people
 * type for Gateway); core ones follow kubectl.
 */
const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  'gateway.networking.k8s.io/GatewayClass': ['gc'],
  'gateway.networking.k8s.io/Gateway': ['gtw', 'gw'],
  'gateway.networking.k8s.io/ListenerSet': ['lset'],
  'gateway.networking.k8s.io/ReferenceGrant': ['refgrant'],
  'gateway.networking.k8s.io/BackendTLSPolicy': ['btlspolicy'],
  '/Namespace': ['ns'],
  '/Service': ['svc'],
  '/Endpoints': ['ep'],
  '/ConfigMap': ['cm'],
  '/Pod': ['po'],
  'apps/Deployment': ['deploy'],
};

/** The short names of a kind (possibly none). */
export function shortNamesOf(info: KindInfo): readonly string[] {
  return SHORT_NAMES[`${info.group}/${info.kind}`] ?? [];
}

/** The singular resource name: the Kind in lower case, as Kubernetes derives it. */
export function singularOf(info: KindInfo): string {
  return info.kind.toLowerCase();
}

/** Every name a kind answers to, lower-cased. */
function namesOf(info: KindInfo): string[] {
  return [info.plural, singularOf(info), ...shortNamesOf(info)];
}

/**
 * Finds a kind by what a user types: plural, singular, Kind or short name, in any case, optionally
 * qualified by group (`httproutes.gateway.networking.k8s.io`, `deployment.apps`). Undefined when
 * nothing matches. An unqualified name that several groups share resolves to the first in KINDS.
 */
export function resolveKind(typed: string): KindInfo | undefined {
  const t = typed.trim().toLowerCase();
  if (!t) return undefined;
  const dot = t.indexOf('.');
  const name = dot < 0 ? t : t.slice(0, dot);
  const group = dot < 0 ? undefined : t.slice(dot + 1);
  for (const info of KINDS) {
    if (group !== undefined && info.group !== group) continue;
    if (namesOf(info).includes(name)) return info;
  }
  return undefined;
}
