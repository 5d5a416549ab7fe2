/**
 * Which Secrets and ConfigMaps a translation read. Translation reads them only by name, for what a Gateway
 * or policy names (certificates, CA bundles, client certificates), so a change to any other one changes
 * nothing it produced: the incremental translator skips it (changeset.ts) instead of translating the whole
 * snapshot again. In a cluster most Secrets belong to workloads, and their changes are frequent.
 */
import type { K8sObject } from '../api/object.ts';
import type { Snapshot } from '../store/snapshot.ts';

/** Core kinds read by name only. */
const BY_NAME: ReadonlySet<string> = new Set(['Secret', 'ConfigMap']);

/** A snapshot that records the Secrets and ConfigMaps looked up through it. */
export class ReadRecorder implements Snapshot {
  readonly #inner: Snapshot;
  /** "Kind/namespace/name" of every Secret or ConfigMap looked up, found or not. */
  readonly #keys = new Set<string>();
  /** Some pass listed Secrets or ConfigMaps: any of them may matter. */
  #listed = false;

  constructor(inner: Snapshot) {
    this.#inner = inner;
  }

  get resourceVersion(): number {
    return this.#inner.resourceVersion;
  }

  list(group: string, kind: string): readonly K8sObject[] {
    if (group === '' && BY_NAME.has(kind)) this.#listed = true;
    return this.#inner.list(group, kind);
  }

  get(group: string, kind: string, namespace: string, name: string): K8sObject | undefined {
    if (group === '' && BY_NAME.has(kind)) this.#keys.add(`${kind}/${namespace}/${name}`);
    return this.#inner.get(group, kind, namespace, name);
  }

  /** True when a change to this core object cannot affect the translation that read through this recorder. */
  unread(group: string, kind: string, namespace: string, name: string): boolean {
    return group === '' && BY_NAME.has(kind) && !this.#listed && !this.#keys.has(`${kind}/${namespace}/${name}`);
  }
}
