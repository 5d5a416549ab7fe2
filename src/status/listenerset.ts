/**
 * ListenerSet status: the set's own Accepted/Programmed conditions and one entry per listener it
 * declares (name, supportedKinds, attachedRoutes, conditions), stamped like a Gateway's.
 */
import type { K8sObject } from '../api/object.ts';
import { finalize } from './conditions.ts';
import type { ListenerReport, ListenerSetReport } from './report.ts';
import type { UpdateEnv } from './updates.ts';

/** The complete status subresource of one ListenerSet. */
export function listenerSetStatus(r: ListenerSetReport, env: UpdateEnv): unknown {
  const gen = typeof r.obj.metadata.generation === 'number' ? r.obj.metadata.generation : undefined;
  return {
    conditions: finalize(r.conditions, r.obj.status?.conditions, gen, env.now),
    listeners: listenerStatuses(r.obj, r.listeners, gen, env.now),
  };
}

/** Listener entries; transition times are kept from the stored entry of the same name. */
function listenerStatuses(obj: K8sObject, listeners: readonly ListenerReport[], gen: number | undefined, now: string): unknown[] {
  const stored: any[] = Array.isArray(obj.status?.listeners) ? obj.status.listeners : [];
  return listeners.map((l) => ({
    name: l.name,
    supportedKinds: l.supportedKinds.map((k) => ({ group: k.group, kind: k.kind })),
    attachedRoutes: l.attachedRoutes,
    conditions: finalize(l.conditions, stored.find((o) => o?.name === l.name)?.conditions, gen, now),
  }));
}
