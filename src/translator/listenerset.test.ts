/**
 * ListenerSet behaviour that golden files show poorly: independence from input order, a stable
 * status when the previous status is fed back, and a conflict resolving once the older set is gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { snapshotOf } from '../store/snapshot.ts';
import { translate } from './index.ts';
import type { TranslateResult } from './index.ts';
import { parentOf, routeParentIndex } from './parents.ts';
import { testAllocator } from './test-allocator.ts';

const env = (now = '2025-01-01T00:00:00Z') => ({
  controllerName: 'gatehouse.dev/gateway-controller',
  version: 1,
  now,
  addresses: testAllocator(),
  bindErrors: new Map<string, string>(),
});

const G = 'gateway.networking.k8s.io/v1';

function listenerSet(name: string, created: string, hostname: string): K8sObject {
  return {
    apiVersion: G, kind: 'ListenerSet', metadata: { name, namespace: 'ns', generation: 1, creationTimestamp: created },
    spec: { parentRef: { name: 'gw' }, listeners: [{ name: 'l', port: 80, protocol: 'HTTP', hostname }] },
  };
}

const objects: K8sObject[] = [
  { apiVersion: G, kind: 'GatewayClass', metadata: { name: 'gc', generation: 1 }, spec: { controllerName: 'gatehouse.dev/gateway-controller' } },
  {
    apiVersion: G, kind: 'Gateway', metadata: { name: 'gw', namespace: 'ns', generation: 1 },
    spec: { gatewayClassName: 'gc', allowedListeners: { namespaces: { from: 'Same' } }, listeners: [{ name: 'l', port: 80, protocol: 'HTTP', hostname: 'gw.test' }] },
  },
  listenerSet('newer', '2024-02-01T00:00:00Z', 'shared.test'),
  listenerSet('older', '2024-01-01T00:00:00Z', 'shared.test'),
  listenerSet('other', '2024-03-01T00:00:00Z', 'other.test'),
  {
    apiVersion: G, kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'ns', generation: 1 },
    spec: { parentRefs: [{ kind: 'ListenerSet', name: 'newer' }, { kind: 'ListenerSet', name: 'other' }], rules: [{ backendRefs: [{ name: 'svc', port: 80 }] }] },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' }, spec: { ports: [{ port: 80 }] } },
];

function statusOf(result: TranslateResult, kind: string, name: string): any {
  const u = result.statuses.find((s) => s.key.kind === kind && s.key.name === name);
  assert.ok(u, `no status for ${kind} ${name}`);
  return u.status;
}

function condition(status: any, type: string): any {
  return status.conditions.find((c: any) => c.type === type);
}

function servedListeners(result: TranslateResult): string[] {
  return result.ir.sockets.flatMap((s) => s.httpListeners.map((l) => l.name)).sort();
}

test('the result does not depend on the order ListenerSets are listed in', () => {
  const base = JSON.stringify(translate(snapshotOf(objects), env()));
  fc.assert(fc.property(fc.shuffledSubarray(objects, { minLength: objects.length }), (shuffled) => {
    assert.equal(JSON.stringify(translate(snapshotOf(shuffled), env())), base);
  }), { numRuns: 25 });
});

test('the older set keeps a shared hostname; the newer one is conflicted until the older one goes', () => {
  const before = translate(snapshotOf(objects), env());
  const newer = statusOf(before, 'ListenerSet', 'newer');
  assert.equal(newer.listeners[0].conditions.find((c: any) => c.type === 'Conflicted').status, 'True');
  assert.equal(condition(newer, 'Accepted').reason, 'ListenersNotValid');
  assert.equal(statusOf(before, 'Gateway', 'gw').attachedListenerSets, 2);
  assert.deepEqual(servedListeners(before), ['ns/gw/ListenerSet/ns/older/l', 'ns/gw/ListenerSet/ns/other/l', 'ns/gw/l']);

  const after = translate(snapshotOf(objects.filter((o) => o.metadata.name !== 'older')), env());
  const healed = statusOf(after, 'ListenerSet', 'newer');
  assert.equal(condition(healed, 'Accepted').status, 'True');
  assert.equal(healed.listeners[0].attachedRoutes, 1, 'the route that named the conflicted set now counts there');
  assert.equal(statusOf(after, 'Gateway', 'gw').attachedListenerSets, 2);
  assert.deepEqual(servedListeners(after), ['ns/gw/ListenerSet/ns/newer/l', 'ns/gw/ListenerSet/ns/other/l', 'ns/gw/l']);
});

test('feeding the status back keeps every transition time (no status churn)', () => {
  const first = translate(snapshotOf(objects), env());
  const withStatus = objects.map((o) => {
    const u = first.statuses.find((s) => keyString(s.key) === `gateway.networking.k8s.io/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    return u ? { ...o, status: u.status } : o;
  });
  const second = translate(snapshotOf(withStatus), env('2030-01-01T00:00:00Z'));
  assert.deepEqual(second.statuses, first.statuses);
});

test('a route parentRef resolves to a Gateway or a ListenerSet, never to another group', () => {
  const result = translate(snapshotOf(objects), env());
  assert.ok(result.statuses.some((s) => s.key.kind === 'ListenerSet'));
  const gw = { obj: objects[1], key: 'ns/gw', listeners: [], report: { obj: objects[1], addresses: [], conditions: [], listeners: [] } };
  const ls = { obj: objects[3], key: 'ns/older', gateway: gw, listeners: [] };
  const index = routeParentIndex([{ ...gw, listenerSets: [ls] }]);
  const route = objects[5];
  assert.equal(parentOf(route, { name: 'gw' }, index)?.key, 'ns/gw');
  assert.equal(parentOf(route, { kind: 'ListenerSet', name: 'older' }, index)?.key, 'ns/older');
  assert.equal(parentOf(route, { kind: 'ListenerSet', name: 'gw' }, index), undefined);
  assert.equal(parentOf(route, { group: 'example.com', kind: 'ListenerSet', name: 'older' }, index), undefined);
  assert.equal(parentOf(route, { kind: 'ListenerSet', name: 'older', namespace: 'elsewhere' }, index), undefined);
});
