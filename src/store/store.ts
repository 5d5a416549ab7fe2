import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject, ObjectKey } from '../api/object.ts';
import { keyOf } from '../api/object.ts';
import { kindInfo, apiVersionOf, type KindInfo } from '../api/kinds.ts';
import { matchesSelector, type LabelSelector } from '../api/labels.ts';
import { StoreError } from './errors.ts';
import type { Snapshot } from './snapshot.ts';
import { mergePatched } from './merge-patch.ts';
import { frozenCopy, StringPool } from './intern.ts';
import { Tables } from './tables.ts';

/** One change, delivered to watchers after the store has applied it. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: K8sObject;
}

export type Watcher = (ev: WatchEvent) => void;

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
}

/** Top-level fields that are not part of the object's desired state: changing them never bumps generation. */
const NON_SPEC_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * The object store: every object keyed by group/kind/namespace/name, with a store-wide
 * resourceVersion, a per-object generation bumped only when the desired state changes, status kept
 * apart from spec, and synchronous watchers.
 *
 * Stored objects are deeply frozen and shared: readers get the stored value itself, never a copy,
 * and every write replaces the object, sharing the frozen parts it did not change (a status write
 * keeps the spec's identity). Snapshots are O(1) and copy-on-write per kind and namespace (tables.ts),
 * so a write after one costs the size of its namespace, not of its kind, and never shows through it.
 */
export class Store {
  private rv = 0;
  /** "group/Kind" → namespace → name → object. */
  private readonly tables = new Tables();
  private watchers = new Set<Watcher>();
  /** Shared copies of the strings stored objects repeat (see intern.ts). */
  private readonly strings = new StringPool();

  constructor() {
    this.ensureNamespace('default');
  }

  /** The current store-wide resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  get(group: string, kind: string, namespace: string, name: string): K8sObject | undefined {
    return this.tables.get(`${group}/${kind}`, namespace, name);
  }

  /** Objects of a kind, optionally in one namespace and matching a label selector, sorted by namespace/name. */
  list(group: string, kind: string, opts: ListOptions = {}): K8sObject[] {
    const out: K8sObject[] = [];
    // '' (like undefined) means every namespace, as on the admin API's cluster-wide paths.
    for (const o of this.tables.values(`${group}/${kind}`, opts.namespace || undefined)) {
      if (opts.labelSelector && !matchesSelector(opts.labelSelector, o.metadata.labels)) continue;
      out.push(o);
    }
    return out.sort(byNamespaceName);
  }

  /** A consistent read-only view of everything stored now. */
  snapshot(): Snapshot {
    return this.tables.snapshot(this.rv);
  }

  /** Creates an object; fails with AlreadyExists if it is there. Returns the stored object. */
  create(input: K8sObject): K8sObject {
    const info = this.info(input);
    const obj = this.normalize(input, info);
    const key = keyOf(obj);
    if (this.get(key.group, key.kind, key.namespace, key.name)) {
      throw new StoreError('AlreadyExists', `${info.plural} "${key.name}" already exists`);
    }
    const meta = obj.metadata;
    meta.uid = randomUUID();
    meta.generation = 1;
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete meta.deletionTimestamp;
    if (info.hasStatus && obj.status === undefined) delete obj.status;
    return this.put(obj, 'ADDED');
  }

  /**
   * Replaces an object's desired state (everything but status). When `input.metadata.resourceVersion`
   * is set it must equal the stored one (optimistic concurrency), else Conflict.
   */
  update(input: K8sObject): K8sObject {
    const info = this.info(input);
    const obj = this.normalize(input, info);
    const key = keyOf(obj);
    const cur = this.get(key.group, key.kind, key.namespace, key.name);
    if (!cur) throw new StoreError('NotFound', `${info.plural} "${key.name}" not found`);
    checkVersion(input, cur);
    // Status is a subresource: an update of the main resource keeps the stored status.
    if (info.hasStatus) {
      if (cur.status !== undefined) obj.status = cur.status; // frozen: shared, not copied
      else delete obj.status;
    }
    return this.replace(cur, obj);
  }

  /** Creates the object, or updates it when it exists (what `kubectl apply` and the file provider do). */
  apply(input: K8sObject): K8sObject {
    const info = this.info(input);
    const ns = info.namespaced ? input.metadata.namespace || 'default' : '';
    const cur = this.get(info.group, info.kind, ns, input.metadata.name);
    if (!cur) return this.create(input);
    const { resourceVersion: _ignored, ...meta } = input.metadata;
    return this.update({ ...input, metadata: meta });
  }

  /** Applies a JSON merge patch (RFC 7386) to the main resource. */
  patch(key: ObjectKey, patch: unknown): K8sObject {
    const cur = this.mustGet(key);
    if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
      throw new StoreError('BadRequest', 'a merge patch must be a JSON object');
    }
    // Without a resourceVersion in the patch the merged object keeps the current one: no conflict.
    return this.update(mergePatched(cur, patch) as K8sObject);
  }

  /** Replaces the status subresource only. */
  updateStatus(key: ObjectKey, status: unknown, resourceVersion?: string): K8sObject {
    const cur = this.mustGet(key);
    const info = kindInfo(key.group, key.kind)!;
    if (!info.hasStatus) throw new StoreError('MethodNotAllowed', `${info.plural} have no status subresource`);
    if (resourceVersion !== undefined && resourceVersion !== cur.metadata.resourceVersion) {
      throw new StoreError('Conflict', conflictMessage(info, key.name));
    }
    if (isDeepStrictEqual(cur.status, status)) return cur;
    // Only metadata (resourceVersion) and status are new: the frozen spec keeps its identity, so a
    // status write never makes a spec look changed to readers that compare by identity (the translator).
    // put() copies the caller's status; the metadata's frozen labels and annotations are shared.
    const next = { ...cur, metadata: { ...cur.metadata }, status } as K8sObject;
    return this.put(next, 'MODIFIED');
  }

  /** Deletes an object and returns what was stored. */
  delete(key: ObjectKey): K8sObject {
    const cur = this.mustGet(key);
    this.tables.delete(`${key.group}/${key.kind}`, key.namespace, key.name);
    this.rv++;
    const gone = Object.freeze({ ...cur, metadata: Object.freeze({ ...cur.metadata, resourceVersion: String(this.rv) }) });
    this.emit({ type: 'DELETED', object: gone });
    return gone;
  }

  /** Calls `fn` after every change, synchronously, in order. Returns a function that stops the watch. */
  watch(fn: Watcher): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private info(obj: K8sObject): KindInfo {
    if (!obj || typeof obj !== 'object' || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      throw new StoreError('BadRequest', 'object needs apiVersion and kind');
    }
    if (!obj.metadata || typeof obj.metadata.name !== 'string' || obj.metadata.name === '') {
      throw new StoreError('Invalid', `${obj.kind}: metadata.name: Required value`, [{ field: 'metadata.name', message: 'Required value' }]);
    }
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.slice(0, obj.apiVersion.indexOf('/')) : '';
    const info = kindInfo(group, obj.kind);
    if (!info) throw new StoreError('BadRequest', `no kind "${obj.kind}" is registered for version "${obj.apiVersion}"`);
    return info;
  }

  /**
   * The input in its stored form: canonical apiVersion, namespace defaulted, labels kept. Only the top
   * level and metadata are copied here (the write paths change nothing deeper); put() copies the rest.
   */
  private normalize(input: K8sObject, info: KindInfo): K8sObject {
    const obj: K8sObject = { ...input, metadata: { ...input.metadata } };
    obj.apiVersion = apiVersionOf(info);
    if (info.namespaced) obj.metadata.namespace = obj.metadata.namespace || 'default';
    else delete obj.metadata.namespace;
    if (info.kind === 'Namespace') {
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name };
    }
    return obj;
  }

  private replace(cur: K8sObject, obj: K8sObject): K8sObject {
    const meta = obj.metadata;
    meta.uid = cur.metadata.uid;
    meta.creationTimestamp = cur.metadata.creationTimestamp;
    meta.generation = specChanged(cur, obj) ? (cur.metadata.generation ?? 1) + 1 : cur.metadata.generation ?? 1;
    meta.resourceVersion = cur.metadata.resourceVersion;
    if (isDeepStrictEqual(cur, obj)) return cur;
    return this.put(obj, 'MODIFIED');
  }

  private put(obj: K8sObject, type: WatchEvent['type']): K8sObject {
    const key = keyOf(obj);
    if (key.namespace && key.kind !== 'Namespace') this.ensureNamespace(key.namespace);
    this.rv++;
    obj.metadata.resourceVersion = String(this.rv);
    const stored = frozenCopy(obj, this.strings);
    this.tables.set(`${key.group}/${key.kind}`, key.namespace, key.name, stored);
    this.emit({ type, object: stored });
    return stored;
  }

  /**
   * Kubernetes refuses objects in a namespace that does not exist; standalone Gatehouse creates the
   * Namespace instead, so a directory of manifests works without a separate namespace file.
   */
  private ensureNamespace(name: string): void {
    if (this.get('', 'Namespace', '', name)) return;
    this.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  private mustGet(key: ObjectKey): K8sObject {
    const cur = this.get(key.group, key.kind, key.namespace, key.name);
    if (!cur) {
      const plural = kindInfo(key.group, key.kind)?.plural ?? key.kind;
      throw new StoreError('NotFound', `${plural} "${key.name}" not found`);
    }
    return cur;
  }

  private emit(ev: WatchEvent): void {
    for (const w of this.watchers) {
      try {
        w(ev);
      } catch (err) {
        // A failing watcher must not break the store or the other watchers.
        console.error('gatehouse: store watcher failed:', err);
      }
    }
  }
}

function checkVersion(input: K8sObject, cur: K8sObject): void {
  const want = input.metadata.resourceVersion;
  if (want !== undefined && want !== '' && want !== cur.metadata.resourceVersion) {
    const info = kindInfo(keyOf(cur).group, cur.kind)!;
    throw new StoreError('Conflict', conflictMessage(info, cur.metadata.name));
  }
}

function conflictMessage(info: KindInfo, name: string): string {
  return `Operation cannot be fulfilled on ${info.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`;
}

/** True when anything outside metadata and status differs: that is what bumps generation. */
function specChanged(a: K8sObject, b: K8sObject): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    if (NON_SPEC_FIELDS.has(k)) continue;
    if (!isDeepStrictEqual(a[k], b[k])) return true;
  }
  return false;
}

function byNamespaceName(a: K8sObject, b: K8sObject): number {
  const an = a.metadata.namespace ?? '';
  const bn = b.metadata.namespace ?? '';
  if (an !== bn) return an < bn ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
