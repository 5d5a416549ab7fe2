/**
 * The controller with the incremental translator: a status the translator hands back unchanged is not
 * written again, while a status changed behind the controller's back (another writer) is restored.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../store/store.ts';
import { createTranslator } from '../translator/index.ts';
import { testAllocator } from '../translator/test-allocator.ts';
import type { DataPlane } from '../dataplane/types.ts';
import { Controller } from './controller.ts';

const GW = 'gateway.networking.k8s.io/v1';
const ROUTE = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' };

const noopPlane: DataPlane = {
  async apply(ir) {
    return { version: ir.version, bindErrors: new Map() };
  },
  async close() {},
};

function route(name: string, path: string) {
  return { apiVersion: GW, kind: 'HTTPRoute', metadata: { name }, spec: { parentRefs: [{ name: 'g' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }] }] } };
}

test('only changed statuses are written; an overwritten status is written back', async () => {
  const store = new Store();
  store.apply({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'x' } });
  store.apply({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'g' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'http', protocol: 'HTTP', port: 8080 }] } });
  for (const n of ['r1', 'r2', 'r3']) store.apply(route(n, `/${n}`));
  const c = new Controller({ store, dataplane: noopPlane, translate: createTranslator(), controllerName: 'x', addresses: testAllocator() });
  await c.start();
  const written: string[] = [];
  store.watch((ev) => {
    if (ev.type === 'MODIFIED') written.push(`${ev.object.kind}/${ev.object.metadata.name}`);
  });
  const accepted = (name: string) => store.get(ROUTE.group, ROUTE.kind, ROUTE.namespace, name)?.status?.parents?.[0]?.conditions?.[0]?.status;
  assert.equal(accepted('r1'), 'True');

  store.apply(route('r2', '/changed')); // spec change: r2's status gets a new observedGeneration
  await c.idle();
  assert.deepEqual(written.filter((w) => w !== 'HTTPRoute/r2'), []);
  assert.equal(store.get(ROUTE.group, ROUTE.kind, ROUTE.namespace, 'r2')?.status?.parents?.[0]?.conditions?.[0]?.observedGeneration, 2);

  written.length = 0;
  store.updateStatus({ ...ROUTE, name: 'r3' }, { parents: [] }); // someone else wipes r3's status
  await c.idle();
  assert.equal(accepted('r3'), 'True');
  assert.deepEqual(written, ['HTTPRoute/r3', 'HTTPRoute/r3']); // the wipe, then the controller's rewrite
  await c.stop();
});

test('the translator is told what changed: others\' writes as changes, the loop\'s own status writes apart', async () => {
  const store = new Store();
  store.apply({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'x' } });
  store.apply({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'g' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'http', protocol: 'HTTP', port: 8080 }] } });
  store.apply(route('r1', '/r1'));
  const inner = createTranslator();
  const seen: Array<{ keys: string[]; own: string[]; partial: boolean } | undefined> = [];
  let fail = false;
  const translate: typeof inner = (snap, env, changes) => {
    if (fail) {
      fail = false;
      throw new Error('translator bug');
    }
    const r = inner(snap, env, changes);
    seen.push(changes && { keys: [...changes.keys].sort(), own: [...(changes.ownStatus ?? [])].sort(), partial: r.partial === true });
    return r;
  };
  const c = new Controller({ store, dataplane: noopPlane, translate, controllerName: 'x', addresses: testAllocator(), log: () => {} });
  await c.start();
  assert.deepEqual(seen, [undefined], 'the first translation checks everything');
  store.apply(route('r2', '/r2'));
  await c.idle();
  const k = (kind: string, name: string, ns = 'default') => `gateway.networking.k8s.io/${kind}/${ns}/${name}`;
  // Own status writes are passed on for kinds other than routes (a translator never needs a route's).
  assert.deepEqual(seen[1], { keys: [k('HTTPRoute', 'r2')], own: [k('Gateway', 'g'), k('GatewayClass', 'c', '')], partial: true });
  fail = true; // a failed translation: the changes it was told of are lost to it, so the next one checks everything
  store.apply(route('r3', '/r3'));
  await c.idle();
  store.apply(route('r4', '/r4'));
  await c.idle();
  assert.equal(seen[2], undefined);
  assert.equal(store.get(ROUTE.group, ROUTE.kind, ROUTE.namespace, 'r3')?.status?.parents?.[0]?.conditions?.[0]?.status, 'True');
  await c.stop();
});

test('a written status is kept once: the update the translator hands back again holds the stored copy', async () => {
  const store = new Store();
  store.apply({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: 'x' } });
  store.apply({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'g' }, spec: { gatewayClassName: 'c', listeners: [{ name: 'http', protocol: 'HTTP', port: 8080 }] } });
  store.apply(route('r1', '/r1'));
  const inner = createTranslator();
  const results: Array<ReturnType<typeof inner>> = [];
  const translate: typeof inner = (snap, env, changes) => {
    const r = inner(snap, env, changes);
    results.push(r);
    return r;
  };
  const c = new Controller({ store, dataplane: noopPlane, translate, controllerName: 'x', addresses: testAllocator() });
  await c.start();
  const stored = () => store.get(ROUTE.group, ROUTE.kind, ROUTE.namespace, 'r1')!.status;
  const update = results[0].statuses.find((u) => u.key.kind === 'HTTPRoute' && u.key.name === 'r1')!;
  assert.equal(update.status, stored(), 'the update points at the object the store holds');
  const written: string[] = [];
  store.watch((ev) => written.push(`${ev.type} ${ev.object.kind}/${ev.object.metadata.name}`));
  store.apply(route('r2', '/r2'));
  await c.idle();
  assert.equal(stored()?.parents?.[0]?.conditions?.[0]?.status, 'True');
  assert.ok(!written.includes('MODIFIED HTTPRoute/r1'), `r1 is not written again: ${written.join(', ')}`);
  await c.stop();
});
