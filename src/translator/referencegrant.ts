/**
 * ReferenceGrant pass: indexes the grants of the snapshot so other passes can ask whether a
 * cross-namespace reference is permitted.
 */
import { GATEWAY_GROUP, ROUTE_KINDS } from '../api/kinds.ts';
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';

/** One side of a reference: the object that refers (from) or the referent (to). */
export interface RefEnd {
  group: string;
  kind: string;
  namespace: string;
}

/** Answers "may an object of `from` refer to `to`?" for references that cross namespaces. */
export class ReferenceGrants {
  readonly #byNamespace = new Map<string, K8sObject[]>();
  /**
   * Something other than a route (a Gateway's certificate or CA reference, a ListenerSet's) asked across
   * namespaces: grants then matter beyond the routes, whose checks the memo records (incremental translator).
   */
  crossCheckedBeyondRoutes = false;

  constructor(snap: Snapshot) {
    for (const g of snap.list(GATEWAY_GROUP, 'ReferenceGrant')) {
      const ns = g.metadata.namespace ?? '';
      const list = this.#byNamespace.get(ns) ?? [];
      list.push(g);
      this.#byNamespace.set(ns, list);
    }
  }

  /**
   * True when the reference is in one namespace, or a ReferenceGrant in the referent's namespace
   * allows it. A grant's `to` entry without a name allows every object of that kind.
   */
  allows(from: RefEnd, to: RefEnd & { name: string }): boolean {
    if (from.namespace === to.namespace) return true;
    if (!ROUTE_KINDS.has(from.kind)) this.crossCheckedBeyondRoutes = true;
    for (const g of this.#byNamespace.get(to.namespace) ?? []) {
      const froms: any[] = Array.isArray(g.spec?.from) ? g.spec.from : [];
      const tos: any[] = Array.isArray(g.spec?.to) ? g.spec.to : [];
      const fromOk = froms.some((f) => (f?.group ?? '') === from.group && f?.kind === from.kind && f?.namespace === from.namespace);
      if (!fromOk) continue;
      const toOk = tos.some((t) => (t?.group ?? '') === to.group && t?.kind === to.kind && (!t?.name || t.name === to.name));
      if (toOk) return true;
    }
    return false;
  }
}
