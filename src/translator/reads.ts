/**
 * Which Secrets and ConfigMaps translation read. It reads them only by name, for what a Gateway or policy
 * names (certificates, CA bundles, client certificates), so a change to any other one changes nothing it
 * produced: the incremental translator skips it (changeset.ts) instead of translating the whole snapshot
 * again. In a cluster most Secrets belong to workloads, and change often.
 *
 * Gateways are processed afresh by every whole translation, so their reads are all seen. (Namespaces are not
 * recorded this way: a route's attachment is replayed from the memo without looking its Namespace up again.)
 */
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';

/** Core kinds read by name only. */
const BY_NAME: ReadonlySet<string> = new Set(['Secret', 'ConfigMap']);

/** Records the Secrets and ConfigMaps looked up through its views. */
export class ReadRecorder {
  /** "Kind/namespace/name" of every one looked up, found or not. */
  readonly #keys = new Set<string>();
  /** Kinds some pass listed: any object of them may matter. */
  readonly #listed = new Set<string>();

  /** `snap`, recording what is looked up through it. */
  view(snap: Snapshot): Snapshot {
    return {
      resourceVersion: snap.resourceVersion,
      list: (group: string, kind: string): readonly K8sObject[] => {
        if (group === '' && BY_NAME.has(kind)) this.#listed.add(kind);
        return snap.list(group, kind);
      },
      get: (group: string, kind: string, namespace: string, name: string): K8sObject | undefined => {
        if (group === '' && BY_NAME.has(kind)) this.#keys.add(`${kind}/${namespace}/${name}`);
        return snap.get(group, kind, namespace, name);
      },
    };
  }

  /** True when a change to this object cannot affect what was translated through this recorder's views. */
  unread(group: string, kind: string, namespace: string, name: string): boolean {
    return group === '' && BY_NAME.has(kind) && !this.#listed.has(kind) && !this.#keys.has(`${kind}/${namespace}/${name}`);
  }
}
