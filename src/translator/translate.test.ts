import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { K8sObject } from '../api/object.ts';
import { snapshotOf } from '../store/snapshot.ts';
import { translate } from './index.ts';
import { testAllocator } from './test-allocator.ts';

const env = () => ({
  controllerName: 'gatehouse.dev/gateway-controller',
  version: 3,
  now: '2025-01-01T00:00:00Z',
  addresses: testAllocator(),
  bindErrors: new Map<string, string>(),
});

const G = 'gateway.networking.k8s.io/v1';
const objects: K8sObject[] = [
  { apiVersion: G, kind: 'GatewayClass', metadata: { name: 'gc', generation: 1 }, spec: { controllerName: 'gatehouse.dev/gateway-controller' } },
  { apiVersion: G, kind: 'Gateway', metadata: { name: 'a', namespace: 'ns', generation: 1 }, spec: { gatewayClassName: 'gc', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] } },
  { apiVersion: G, kind: 'Gateway', metadata: { name: 'b', namespace: 'ns', generation: 1 }, spec: { gatewayClassName: 'gc', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] } },
  ...['r1', 'r2', 'r3'].map((name, i): K8sObject => ({
    apiVersion: G, kind: 'HTTPRoute', metadata: { name, namespace: 'ns', generation: 1, creationTimestamp: `2024-01-0${3 - i}T00:00:00Z` },
    spec: { parentRefs: [{ name: 'a' }, { name: 'b' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }, {}], backendRefs: [{ name: 'svc', port: 80 }] }] },
  })),
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } },
].map((o) => structuredClone(o));

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

test('the result does not depend on the order objects are listed in', () => {
  const base = JSON.stringify(translate(snapshotOf(objects), env()));
  fc.assert(fc.property(fc.shuffledSubarray(objects, { minLength: objects.length }), (shuffled) => {
    assert.equal(JSON.stringify(translate(snapshotOf(shuffled), env())), base);
  }), { numRuns: 50 });
});

test('input objects are not written to (they are frozen: a write would throw)', () => {
  const frozen = objects.map((o) => deepFreeze(structuredClone(o)));
  const r = translate(snapshotOf(frozen), env());
  assert.equal(r.gateways.length, 2);
  assert.equal(r.ir.version, 3);
});

test('malformed objects yield statuses, not exceptions', () => {
  const junk: K8sObject[] = [
    objects[0],
    { apiVersion: G, kind: 'Gateway', metadata: { name: 'x', namespace: 'ns' }, spec: { gatewayClassName: 'gc', listeners: [null, { port: 'eighty' }, 7] } },
    { apiVersion: G, kind: 'Gateway', metadata: { name: 'y', namespace: 'ns' } },
    { apiVersion: G, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns' }, spec: { parentRefs: [{ name: 'x' }, null, 5], rules: [null, { matches: 'no', filters: [{}], backendRefs: [{}] }] } },
  ];
  const r = translate(snapshotOf(junk), env());
  assert.deepEqual(r.gateways, ['ns/x']); // y has no spec, so no class: not ours
  assert.ok(r.statuses.some((s) => s.key.kind === 'HTTPRoute'));
});
