import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Store } from './store.ts';
import type { Snapshot } from './snapshot.ts';
import type { K8sObject } from '../api/object.ts';

const G = 'gateway.networking.k8s.io';
const route = (name: string, namespace: string, host = 'a.example') => ({
  apiVersion: `${G}/v1`,
  kind: 'HTTPRoute',
  metadata: { name, namespace },
  spec: { hostnames: [host] },
});
const key = (name: string, namespace: string) => ({ group: G, kind: 'HTTPRoute', namespace, name });
const names = (objs: readonly K8sObject[]) => objs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();

test('a write after a snapshot leaves the snapshot, its lists and other namespaces untouched', () => {
  const s = new Store();
  for (const ns of ['n1', 'n2']) for (const n of ['a', 'b']) s.create(route(n, ns));
  const snap = s.snapshot();
  const before = snap.list(G, 'HTTPRoute');
  const n2a = snap.get(G, 'HTTPRoute', 'n2', 'a');
  s.patch(key('a', 'n1'), { spec: { hostnames: ['changed.example'] } });
  s.create(route('c', 'n3'));
  s.delete(key('b', 'n2'));
  assert.equal(snap.list(G, 'HTTPRoute'), before, 'the same cached list');
  assert.deepEqual(names(before), ['n1/a', 'n1/b', 'n2/a', 'n2/b']);
  assert.deepEqual(snap.get(G, 'HTTPRoute', 'n1', 'a')?.spec.hostnames, ['a.example']);
  assert.ok(snap.get(G, 'HTTPRoute', 'n2', 'b'), 'a deleted object stays in the older snapshot');
  const next = s.snapshot();
  assert.deepEqual(names(next.list(G, 'HTTPRoute')), ['n1/a', 'n1/b', 'n2/a', 'n3/c']);
  assert.equal(next.get(G, 'HTTPRoute', 'n2', 'a'), n2a, 'an unchanged object keeps its identity');
  assert.equal(next.get(G, 'HTTPRoute', 'n2', 'b'), undefined);
});

test('a kind with no write between two snapshots lists as the very same array', () => {
  const s = new Store();
  s.create(route('a', 'n1'));
  s.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'n1' }, spec: { ports: [{ port: 80 }] } });
  const first = s.snapshot();
  const services = first.list('', 'Service');
  s.patch(key('a', 'n1'), { spec: { hostnames: ['b.example'] } });
  const second = s.snapshot();
  assert.equal(second.list('', 'Service'), services);
  assert.notEqual(second.list(G, 'HTTPRoute'), first.list(G, 'HTTPRoute'));
  assert.ok(Object.isFrozen(services), 'lists are shared, so they are frozen');
  assert.deepEqual(second.list(G, 'GRPCRoute'), []);
});

test('a status write keeps the spec, labels and other frozen parts by identity', () => {
  const s = new Store();
  const created = s.create({ ...route('a', 'n1'), metadata: { name: 'a', namespace: 'n1', labels: { app: 'x' } } });
  const status = { parents: [{ parentRef: { name: 'gw' }, controllerName: 'c', conditions: [] }] };
  const written = s.updateStatus(key('a', 'n1'), status);
  assert.equal(written.spec, created.spec);
  assert.equal(written.metadata.labels, created.metadata.labels);
  assert.notEqual(written.status, status, 'the caller keeps its object; the store keeps a frozen copy');
  assert.ok(Object.isFrozen(written.status.parents[0].parentRef));
  status.parents[0].controllerName = 'changed';
  assert.equal(s.get(G, 'HTTPRoute', 'n1', 'a')?.status.parents[0].controllerName, 'c');
  const patched = s.patch(key('a', 'n1'), { metadata: { annotations: { note: 'x' } } });
  assert.equal(patched.spec, created.spec, 'a metadata patch shares the untouched spec');
  assert.equal(patched.status, written.status, 'and the status');
});

test('the caller of create keeps a mutable input that the store does not share', () => {
  const s = new Store();
  const input = route('a', 'n1');
  const stored = s.create(input);
  input.spec.hostnames.push('more.example');
  assert.deepEqual(stored.spec.hostnames, ['a.example']);
  assert.ok(!Object.isFrozen(input.spec));
});

/** One step of the model test: create, patch or delete a route in one of a few namespaces, maybe snapshot. */
const step = fc.record({
  op: fc.constantFrom('create', 'patch', 'delete'),
  ns: fc.constantFrom('n1', 'n2', 'n3'),
  name: fc.constantFrom('a', 'b', 'c'),
  snap: fc.boolean(),
});

test('model: every snapshot lists and gets exactly what the store held when it was taken', () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const s = new Store();
      const model = new Map<string, string>(); // "ns/name" → host
      const taken: { snap: Snapshot; expect: Map<string, string>; objects: Map<string, K8sObject> }[] = [];
      steps.forEach(({ op, ns, name, snap }, i) => {
        const id = `${ns}/${name}`;
        const host = `h${i}.example`;
        if (op === 'create' && !model.has(id)) {
          s.create(route(name, ns, host));
          model.set(id, host);
        } else if (op === 'patch' && model.has(id)) {
          s.patch(key(name, ns), { spec: { hostnames: [host] } });
          model.set(id, host);
        } else if (op === 'delete' && model.has(id)) {
          s.delete(key(name, ns));
          model.delete(id);
        }
        if (snap) {
          const sn = s.snapshot();
          const objects = new Map(sn.list(G, 'HTTPRoute').map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
          taken.push({ snap: sn, expect: new Map(model), objects });
        }
      });
      for (const { snap, expect, objects } of taken) {
        const listed = snap.list(G, 'HTTPRoute');
        assert.deepEqual(names(listed), [...expect.keys()].sort());
        for (const o of listed) {
          const id = `${o.metadata.namespace}/${o.metadata.name}`;
          assert.equal(o.spec.hostnames[0], expect.get(id));
          assert.equal(snap.get(G, 'HTTPRoute', o.metadata.namespace!, o.metadata.name), o);
          assert.equal(objects.get(id), o, 'the objects of a snapshot never change');
        }
      }
      assert.deepEqual(names(s.list(G, 'HTTPRoute')), [...model.keys()].sort());
      // Identity across snapshots: consecutive snapshots share every object not written in between.
      for (let i = 1; i < taken.length; i++) {
        for (const [id, o] of taken[i].objects) {
          const prev = taken[i - 1].objects.get(id);
          if (prev && prev.metadata.resourceVersion === o.metadata.resourceVersion) assert.equal(prev, o);
        }
      }
    }),
    { numRuns: 200 },
  );
});
