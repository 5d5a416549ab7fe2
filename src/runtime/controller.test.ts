import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../store/store.ts';
import { Controller, type TranslateFn } from './controller.ts';
import { LoopbackAllocator } from './addresses.ts';
import type { DataPlane } from '../dataplane/types.ts';
import type { IR } from '../ir/types.ts';

const gw = (name: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name },
  spec: { gatewayClassName: 'c', listeners: [{ name: 'http', protocol: 'HTTP', port: 8080 }] },
});

/** A translator that puts one socket per Gateway and reports bind errors in the Gateway's status. */
const fakeTranslate: TranslateFn = (snap, env) => {
  const gws = snap.list('gateway.networking.k8s.io', 'Gateway');
  const sockets = gws.map((g) => {
    const r = env.addresses.assign(`${g.metadata.namespace}/${g.metadata.name}`, []);
    const address = r.ok ? r.address : '';
    return { key: `${address}:8080`, address, port: 8080, protocol: 'HTTP' as const, gateway: g.metadata.name, httpListeners: [] };
  });
  return {
    ir: { version: env.version, sockets },
    statuses: gws.map((g, i) => ({
      key: { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: g.metadata.namespace!, name: g.metadata.name },
      status: { bindError: env.bindErrors.get(sockets[i].key) ?? null },
    })),
    gateways: gws.map((g) => `${g.metadata.namespace}/${g.metadata.name}`),
  };
};

class FakeDataPlane implements DataPlane {
  applied: IR[] = [];
  failing = new Set<string>();
  async apply(ir: IR) {
    this.applied.push(ir);
    const bindErrors = new Map<string, string>();
    for (const s of ir.sockets) if (this.failing.has(s.key)) bindErrors.set(s.key, 'EACCES: permission denied');
    return { version: ir.version, bindErrors };
  }
  async close() {}
}

function setup(translate: TranslateFn = fakeTranslate) {
  const store = new Store();
  const dp = new FakeDataPlane();
  const logs: string[] = [];
  const c = new Controller({
    store,
    dataplane: dp,
    translate,
    controllerName: 'x',
    addresses: new LoopbackAllocator('127.10.0.0/24'),
    log: (_l, m) => logs.push(m),
  });
  return { store, dp, c, logs };
}

test('a burst of changes is coalesced into few translations and the last state wins', async () => {
  const { store, dp, c } = setup();
  await c.start();
  const before = dp.applied.length;
  for (let i = 0; i < 50; i++) store.create(gw(`g${i}`));
  await c.idle();
  const after = dp.applied.length - before;
  assert.ok(after >= 1 && after < 50, `expected coalescing, got ${after} translations for 50 changes`);
  assert.equal(dp.applied.at(-1)!.sockets.length, 50);
  await c.stop();
});

test('statuses are written, and writing them does not trigger another translation', async () => {
  const { store, dp, c } = setup();
  await c.start();
  store.create(gw('a'));
  await c.idle();
  const n = dp.applied.length;
  assert.deepEqual(store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'a')?.status, { bindError: null });
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(dp.applied.length, n, 'status write caused no reconcile');
  await c.stop();
});

test('the first translation, and only it, reports how long it took', async () => {
  const { store, c, logs } = setup();
  await c.start();
  store.create(gw('a'));
  await c.idle();
  const lines = logs.filter((l) => l.startsWith('first translation took'));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^first translation took \d+\.\d ms, data plane apply \d+\.\d ms \(IR version 1\)$/);
  await c.stop();
});

test('bind errors from the data plane are fed back into a new translation', async () => {
  const { store, dp, c, logs } = setup();
  dp.failing.add('127.10.0.1:8080');
  await c.start();
  store.create(gw('a'));
  await c.idle();
  assert.deepEqual(store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'a')?.status, { bindError: 'EACCES: permission denied' });
  assert.ok(logs.some((l) => l.includes('cannot listen on 127.10.0.1:8080')));
  await c.stop();
});

test('a translator that throws leaves the last applied IR serving', async () => {
  let broken = false;
  const { store, dp, c, logs } = setup((snap, env) => {
    if (broken) throw new Error('boom');
    return fakeTranslate(snap, env);
  });
  await c.start();
  store.create(gw('a'));
  await c.idle();
  const served = c.currentIR;
  broken = true;
  store.create(gw('b'));
  await c.idle();
  assert.equal(c.currentIR, served);
  assert.equal(dp.applied.at(-1)!.sockets.length, 1);
  assert.ok(logs.some((l) => l.includes('translation failed')));
  await c.stop();
});
