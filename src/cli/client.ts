import type { K8sObject } from '../api/object.ts';
import { kindInfo, apiVersionOf, type KindInfo } from '../api/kinds.ts';

/** A failed admin API call, carrying the Kubernetes Status the server answered with. */
export class AdminError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: any;
  constructor(code: number, status: any) {
    super(status?.message ?? `admin API answered ${code}`);
    this.name = 'AdminError';
    this.code = code;
    this.reason = status?.reason ?? '';
    this.status = status;
  }
}

/** Where a kind's objects live in the admin API. */
export function collectionPath(info: KindInfo, namespace?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  return info.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}` : `${base}/${info.plural}`;
}

/** The path of one object. */
export function objectPath(info: KindInfo, namespace: string | undefined, name: string): string {
  return `${collectionPath(info, info.namespaced ? namespace || 'default' : undefined)}/${encodeURIComponent(name)}`;
}

function infoFor(apiVersion: string, kind: string): KindInfo {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const info = kindInfo(group, kind);
  if (!info) throw new Error(`unknown kind ${apiVersion} ${kind}`);
  return info;
}

/**
 * A small client for Gatehouse's admin API (the Kubernetes REST paths), used by the CLI and the
 * conformance harness. Objects are addressed by apiVersion + kind, as in manifests.
 */
export class AdminClient {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/$/, '');
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { message: text };
    }
    if (!res.ok) throw new AdminError(res.status, parsed);
    return parsed;
  }

  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<K8sObject> {
    return this.request('GET', objectPath(infoFor(apiVersion, kind), namespace, name));
  }

  /** Like get, but undefined instead of a NotFound error. */
  async tryGet(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<K8sObject | undefined> {
    try {
      return await this.get(apiVersion, kind, namespace, name);
    } catch (err) {
      if (err instanceof AdminError && err.code === 404) return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<K8sObject[]> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const res = await this.request('GET', collectionPath(infoFor(apiVersion, kind), namespace) + q);
    return res.items ?? [];
  }

  create(obj: K8sObject): Promise<K8sObject> {
    const info = infoFor(obj.apiVersion, obj.kind);
    return this.request('POST', collectionPath(info, info.namespaced ? obj.metadata.namespace || 'default' : undefined), obj);
  }

  update(obj: K8sObject): Promise<K8sObject> {
    return this.request('PUT', objectPath(infoFor(obj.apiVersion, obj.kind), obj.metadata.namespace, obj.metadata.name), obj);
  }

  /** Creates the object, or updates it (with the current resourceVersion) when it exists. */
  async apply(obj: K8sObject): Promise<K8sObject> {
    const cur = await this.tryGet(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    if (!cur) return this.create(obj);
    return this.update({ ...obj, metadata: { ...obj.metadata, resourceVersion: cur.metadata.resourceVersion } });
  }

  patch(apiVersion: string, kind: string, namespace: string | undefined, name: string, mergePatch: unknown): Promise<K8sObject> {
    return this.request('PATCH', objectPath(infoFor(apiVersion, kind), namespace, name), mergePatch, 'application/merge-patch+json');
  }

  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<K8sObject> {
    return this.request('DELETE', objectPath(infoFor(apiVersion, kind), namespace, name));
  }

  updateStatus(obj: K8sObject): Promise<K8sObject> {
    return this.request('PUT', objectPath(infoFor(obj.apiVersion, obj.kind), obj.metadata.namespace, obj.metadata.name) + '/status', obj);
  }
}

/** The apiVersion the admin API serves a kind as. */
export function storedApiVersion(group: string, kind: string): string {
  const info = kindInfo(group, kind);
  if (!info) throw new Error(`unknown kind ${group}/${kind}`);
  return apiVersionOf(info);
}
