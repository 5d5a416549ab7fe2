import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store, type WatchEvent } from './store.ts';
import { StoreError } from './errors.ts';

const route = (name: string, spec: unknown = { parentRefs: [{ name: 'gw' }] }, ns?: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, ...(ns ? { namespace: ns } : {}) },
  spec,
});
const key = (name: string, namespace = 'default') => ({ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace, name });

test('objects without a namespace land in default, and namespaces carry their name label', () => {
  const s = new Store();
  const o = s.create(route('r1'));
  assert.equal(o.metadata.namespace, 'default');
  assert.equal(o.metadata.generation, 1);
  assert.ok(o.metadata.uid);
  s.create(route('r2', {}, 'team-a'));
  const ns = s.get('', 'Namespace', '', 'team-a');
  assert.ok(ns, 'namespace created on demand');
  assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team-a');
  assert.equal(s.get('', 'Namespace', '', 'default')?.metadata.labels?.['kubernetes.io/metadata.name'], 'default');
});

test('generation bumps on spec changes only; status is a separate subresource', () => {
  const s = new Store();
  s.create(route('r'));
  const labelled = s.update({ ...route('r'), metadata: { name: 'r', labels: { a: 'b' } } });
  assert.equal(labelled.metadata.generation, 1, 'metadata change keeps generation');
  const withStatus = s.updateStatus(key('r'), { parents: [] });
  assert.equal(withStatus.metadata.generation, 1, 'status write keeps generation');
  const changed = s.update(route('r', { parentRefs: [{ name: 'other' }] }));
  assert.equal(changed.metadata.generation, 2);
  assert.deepEqual(changed.status, { parents: [] }, 'update keeps the stored status');
  const sneaky = s.update({ ...route('r', { parentRefs: [{ name: 'other' }] }), status: { parents: [{ x: 1 }] } });
  assert.deepEqual(sneaky.status, { parents: [] }, 'status in an update body is ignored');
});

test('resourceVersion is store-wide, increasing, and enforces optimistic concurrency', () => {
  const s = new Store();
  const a = s.create(route('a'));
  const b = s.create(route('b'));
  assert.ok(Number(b.metadata.resourceVersion) > Number(a.metadata.resourceVersion));
  assert.throws(
    () => s.update({ ...route('a', {}), metadata: { name: 'a', resourceVersion: '1' } }),
    (e: unknown) => e instanceof StoreError && e.reason === 'Conflict' && e.code === 409,
  );
  const ok = s.update({ ...route('a', {}), metadata: { name: 'a', resourceVersion: a.metadata.resourceVersion } });
  assert.equal(ok.metadata.generation, 2);
});

test('create of an existing object fails; update and delete of a missing one fail', () => {
  const s = new Store();
  s.create(route('r'));
  assert.throws(() => s.create(route('r')), (e: unknown) => e instanceof StoreError && e.reason === 'AlreadyExists');
  assert.throws(() => s.update(route('nope')), (e: unknown) => e instanceof StoreError && e.reason === 'NotFound');
  assert.throws(() => s.delete(key('nope')), (e: unknown) => e instanceof StoreError && e.code === 404);
  assert.throws(() => s.create({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }), (e: unknown) => e instanceof StoreError && e.reason === 'BadRequest');
});

test('snapshots do not see later writes', () => {
  const s = new Store();
  s.create(route('a'));
  const snap = s.snapshot();
  s.create(route('b'));
  s.update(route('a', { parentRefs: [] }));
  s.delete(key('a'));
  assert.equal(snap.list('gateway.networking.k8s.io', 'HTTPRoute').length, 1);
  assert.deepEqual(snap.get('gateway.networking.k8s.io', 'HTTPRoute', 'default', 'a')?.spec, { parentRefs: [{ name: 'gw' }] });
  assert.equal(s.list('gateway.networking.k8s.io', 'HTTPRoute').map((o) => o.metadata.name).join(), 'b');
});

test('stored objects are frozen so no reader can change them behind the store', () => {
  const s = new Store();
  const o = s.create(route('a'));
  assert.throws(() => {
    (o.spec as any).parentRefs.push({ name: 'x' });
  });
});

test('watchers see ADDED, MODIFIED and DELETED in order; no event for a no-op update', () => {
  const s = new Store();
  const seen: string[] = [];
  const stop = s.watch((ev: WatchEvent) => {
    if (ev.object.kind === 'HTTPRoute') seen.push(`${ev.type}:${ev.object.metadata.name}:${ev.object.metadata.generation}`);
  });
  s.create(route('a'));
  s.update(route('a'));
  s.patch(key('a'), { spec: { parentRefs: [{ name: 'gw2' }] } });
  s.delete(key('a'));
  stop();
  s.create(route('b'));
  assert.deepEqual(seen, ['ADDED:a:1', 'MODIFIED:a:2', 'DELETED:a:2']);
});

test('merge patch deletes with null and replaces lists', () => {
  const s = new Store();
  s.create({ ...route('a'), metadata: { name: 'a', labels: { x: '1', y: '2' } } });
  const p = s.patch(key('a'), { metadata: { labels: { x: null } }, spec: { parentRefs: [{ name: 'z' }], hostnames: ['a.example'] } });
  assert.deepEqual(p.metadata.labels, { y: '2' });
  assert.deepEqual(p.spec, { parentRefs: [{ name: 'z' }], hostnames: ['a.example'] });
});

test('list filters by namespace and label selector and sorts by namespace/name', () => {
  const s = new Store();
  s.create({ ...route('b'), metadata: { name: 'b', namespace: 'n2', labels: { app: 'x' } } });
  s.create({ ...route('a'), metadata: { name: 'a', namespace: 'n2', labels: { app: 'y' } } });
  s.create({ ...route('c'), metadata: { name: 'c', namespace: 'n1', labels: { app: 'x' } } });
  const all = s.list('gateway.networking.k8s.io', 'HTTPRoute');
  assert.deepEqual(all.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['n1/c', 'n2/a', 'n2/b']);
  assert.deepEqual(s.list('gateway.networking.k8s.io', 'HTTPRoute', { namespace: 'n2', labelSelector: { matchLabels: { app: 'x' } } }).map((o) => o.metadata.name), ['b']);
});
