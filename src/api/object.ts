/**
 * The shape every stored object has: plain Kubernetes JSON. Gatehouse keeps objects as data (never
 * class instances) so the same value can be served by the admin API, written to disk and diffed.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A stored object. `spec`, `status` and kind-specific top-level fields (data, endpoints, ...) are open. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [key: string]: any;
}

/** Identifies one object: group (empty for core), kind, namespace (empty for cluster-scoped) and name. */
export interface ObjectKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** "group/Kind/namespace/name": the string form of an ObjectKey, used as a map key everywhere. */
export function keyString(k: ObjectKey): string {
  return `${k.group}/${k.kind}/${k.namespace}/${k.name}`;
}

/** The group part of an apiVersion ("" for the core group "v1"). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The ObjectKey of a stored object. */
export function keyOf(obj: K8sObject): ObjectKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name,
  };
}

/** "namespace/name" (or "name" when cluster-scoped), the form used in logs and status messages. */
export function nsName(obj: { metadata: ObjectMeta }): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}
