import type { K8sObject } from '../api/object.ts';
import { kindInfo, apiVersionOf, type KindInfo } from '../api/kinds.ts';
import { decodeWarnings } from '../admin/warning.ts';

/** Kind lookup by what users type (`gw`, `httproutes`, `GatewayClass`); shared with API discovery. */
export { resolveKind } from '../admin/names.ts';

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

/**
 * A one-line explanation of a failed call, as kubectl words it: `Error from server (NotFound): ...`
 * for Status answers, `error: ...` otherwise (for example, nothing listening at the admin address).
 */
export function failureMessage(err: unknown, base?: string): string {
  if (err instanceof AdminError) return `Error from server${err.reason ? ` (${err.reason})` : ''}: ${err.message}`;
  const cause = (err as any)?.cause;
  if (err instanceof TypeError && cause) {
    return `error: cannot reach the admin API${base ? ` at ${base}` : ''}: ${cause.code ?? cause.message ?? cause}`;
  }
  return `error: ${(err as Error)?.message ?? String(err)}`;
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
  /** Called with the text of every `Warning` header the server sends (deprecations, admission warnings). */
  onWarning?: (warning: string) => void;
  constructor(base: string, opts: { onWarning?: (warning: string) => void } = {}) {
    this.base = base.replace(/\/$/, '');
    this.onWarning = opts.onWarning;
  }

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const w of decodeWarnings(res.headers.get('warning'))) this.onWarning?.(w);
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

  /** GET on the status subresource (the whole object, as Kubernetes returns it). */
  getStatus(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<K8sObject> {
    return this.request('GET', objectPath(infoFor(apiVersion, kind), namespace, name) + '/status');
  }

  /** A JSON merge patch of the status subresource (only `status` in the patch takes effect). */
  patchStatus(apiVersion: string, kind: string, namespace: string | undefined, name: string, mergePatch: unknown): Promise<K8sObject> {
    const path = objectPath(infoFor(apiVersion, kind), namespace, name) + '/status';
    return this.request('PATCH', path, mergePatch, 'application/merge-patch+json');
  }

  /** Like list, with the list's resourceVersion, from which a watch can continue without missing a change. */
  async listWithVersion(apiVersion: string, kind: string, opts: ListQuery = {}): Promise<{ items: K8sObject[]; resourceVersion: string }> {
    const q = new URLSearchParams();
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.fieldSelector) q.set('fieldSelector', opts.fieldSelector);
    const res = await this.request('GET', withQuery(collectionPath(infoFor(apiVersion, kind), opts.namespace), q));
    return { items: res.items ?? [], resourceVersion: res.metadata?.resourceVersion ?? '' };
  }

  /**
   * Streams watch events for a kind (optionally one namespace, one name, a label selector), starting
   * with ADDED for what exists unless `resourceVersion` is given. Ends when `signal` aborts (quietly),
   * when the consumer stops iterating, or when the server ends the stream.
   */
  async *watch(apiVersion: string, kind: string, opts: WatchQuery = {}): AsyncGenerator<ClientWatchEvent> {
    const q = new URLSearchParams({ watch: 'true' });
    if (opts.labelSelector) q.set('labelSelector', opts.labelSelector);
    if (opts.name) q.set('fieldSelector', `metadata.name=${opts.name}`);
    if (opts.resourceVersion) q.set('resourceVersion', opts.resourceVersion);
    const path = withQuery(collectionPath(infoFor(apiVersion, kind), opts.namespace), q);
    let res: Response;
    try {
      res = await fetch(this.base + path, { signal: opts.signal });
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
    if (!res.ok || !res.body) {
      const text = await res.text();
      throw new AdminError(res.status, safeJson(text));
    }
    try {
      yield* ndjson(res.body);
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
  }
}

/** Query options of listWithVersion. */
export interface ListQuery {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Query options of watch. */
export interface WatchQuery {
  namespace?: string;
  name?: string;
  labelSelector?: string;
  /** Continue after this version (from a list or an earlier event) instead of starting with ADDED for everything. */
  resourceVersion?: string;
  signal?: AbortSignal;
}

/** One watch event as the server streams it; ERROR carries a Status object. */
export interface ClientWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'ERROR';
  object: K8sObject;
}

function withQuery(path: string, q: URLSearchParams): string {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** Splits a byte stream into JSON lines. */
async function* ndjson(body: AsyncIterable<Uint8Array>): AsyncGenerator<ClientWatchEvent> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of body) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as ClientWatchEvent;
    }
  }
}

/** The apiVersion the admin API serves a kind as. */
export function storedApiVersion(group: string, kind: string): string {
  const info = kindInfo(group, kind);
  if (!info) throw new Error(`unknown kind ${group}/${kind}`);
  return apiVersionOf(info);
}
