/**
 * Policy status (PolicyStatus of GEP-713, used by BackendTLSPolicy): one ancestor entry per Gateway of
 * ours, each with its conditions stamped like a route parent's. Entries of other controllers are kept
 * as they are, first and in their order, because they are not ours to manage.
 */
import { finalize } from './conditions.ts';
import type { PolicyReport } from './report.ts';
import type { UpdateEnv } from './updates.ts';

/** The specification caps status.ancestors at 16 entries. */
export const MAX_ANCESTORS = 16;

/** True when two ancestorRefs name the same object. */
function sameRef(a: unknown, b: unknown): boolean {
  const fields = ['group', 'kind', 'namespace', 'name', 'sectionName', 'port'];
  return fields.every((f) => (a as any)?.[f] === (b as any)?.[f]);
}

/** The complete status subresource of one policy. */
export function policyStatus(p: PolicyReport, env: UpdateEnv): unknown {
  const gen = typeof p.obj.metadata.generation === 'number' ? p.obj.metadata.generation : undefined;
  const existing: any[] = Array.isArray(p.obj.status?.ancestors) ? p.obj.status.ancestors : [];
  const others = existing.filter((a) => a?.controllerName !== env.controllerName);
  const room = Math.max(0, MAX_ANCESTORS - others.length);
  const ours = p.ancestors.slice(0, room).map((a) => {
    const old = existing.find((e) => e?.controllerName === env.controllerName && sameRef(e.ancestorRef, a.ancestorRef));
    return {
      ancestorRef: { ...a.ancestorRef },
      controllerName: env.controllerName,
      conditions: finalize(a.conditions, old?.conditions, gen, env.now),
    };
  });
  return { ancestors: [...others, ...ours] };
}
