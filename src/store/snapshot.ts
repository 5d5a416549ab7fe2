import type { K8sObject } from '../api/object.ts';

/**
 * A consistent, read-only view of the store at one resourceVersion. The translator reads only this;
 * it never sees later writes, so a translation is a pure function of one snapshot.
 */
export interface Snapshot {
  readonly resourceVersion: number;
  /** Every object of a kind, in no particular order. */
  list(group: string, kind: string): readonly K8sObject[];
  /** One object, or undefined. `namespace` is '' for cluster-scoped kinds. */
  get(group: string, kind: string, namespace: string, name: string): K8sObject | undefined;
}

/** Builds a Snapshot from plain objects: used by tests and golden files. */
export function snapshotOf(objects: readonly K8sObject[], resourceVersion = 1): Snapshot {
  const byKind = new Map<string, Map<string, K8sObject>>();
  for (const o of objects) {
    const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
    const k = `${group}/${o.kind}`;
    let m = byKind.get(k);
    if (!m) byKind.set(k, (m = new Map()));
    m.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }
  return mapSnapshot(byKind, resourceVersion);
}

/** A Snapshot over maps keyed "group/Kind" → "namespace/name" → object. The maps must not change afterwards. */
export function mapSnapshot(byKind: ReadonlyMap<string, ReadonlyMap<string, K8sObject>>, resourceVersion: number): Snapshot {
  const lists = new Map<string, readonly K8sObject[]>();
  return {
    resourceVersion,
    list(group, kind) {
      const k = `${group}/${kind}`;
      let l = lists.get(k);
      if (!l) {
        const m = byKind.get(k);
        l = m ? [...m.values()] : [];
        lists.set(k, l);
      }
      return l;
    },
    get(group, kind, namespace, name) {
      return byKind.get(`${group}/${kind}`)?.get(`${namespace}/${name}`);
    },
  };
}
