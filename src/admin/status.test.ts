import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testAdmin, gateway, GW } from './testkit.ts';

const accepted = { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:00:00Z' }] };

test('PUT on the main resource keeps status; PUT on /status keeps spec; generation follows spec only', async (t) => {
  const a = await testAdmin(t);
  const made = await a.call('POST', `${GW}/default/gateways`, { ...gateway('web'), status: { conditions: ['dropped'] } });
  assert.equal(made.body.status, undefined, 'status on create is dropped, as in Kubernetes');

  const withStatus = await a.call('PUT', `${GW}/default/gateways/web/status`, { ...made.body, spec: { gatewayClassName: 'ignored' }, status: accepted });
  assert.equal(withStatus.status, 200);
  assert.deepEqual(withStatus.body.status, accepted);
  assert.equal(withStatus.body.spec.gatewayClassName, 'gc', 'spec sent to /status is ignored');
  assert.equal(withStatus.body.metadata.generation, 1, 'a status write does not bump generation');

  const main = await a.call('PUT', `${GW}/default/gateways/web`, { ...withStatus.body, spec: { ...withStatus.body.spec, gatewayClassName: 'next' }, status: { conditions: [] } });
  assert.equal(main.status, 200);
  assert.deepEqual(main.body.status, accepted, 'status sent to the main resource is ignored');
  assert.equal(main.body.metadata.generation, 2, 'a spec change bumps generation');

  const same = await a.call('PUT', `${GW}/default/gateways/web`, { ...main.body, metadata: { ...main.body.metadata, labels: { x: 'y' } } });
  assert.equal(same.body.metadata.generation, 2, 'a metadata change does not');
});

test('PATCH on /status merges status only; GET /status returns the object; stale status PUT is 409', async (t) => {
  const a = await testAdmin(t);
  await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  const p = await a.call('PATCH', `${GW}/default/gateways/web/status`, { spec: { gatewayClassName: 'no' }, status: { addresses: [{ value: '127.0.0.5' }], x: 1 } }, 'application/merge-patch+json');
  assert.equal(p.status, 200);
  assert.deepEqual(p.body.status, { addresses: [{ value: '127.0.0.5' }], x: 1 });
  assert.equal(p.body.spec.gatewayClassName, 'gc');
  const q = await a.call('PATCH', `${GW}/default/gateways/web/status`, { status: { x: null } }, 'application/merge-patch+json');
  assert.deepEqual(q.body.status, { addresses: [{ value: '127.0.0.5' }] }, 'null deletes inside status');

  const got = await a.call('GET', `${GW}/default/gateways/web/status`);
  assert.equal(got.body.kind, 'Gateway');
  assert.deepEqual(got.body.status, q.body.status);

  const stale = await a.call('PUT', `${GW}/default/gateways/web/status`, { ...p.body, status: {} });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  const noObj = await a.call('PUT', `${GW}/default/gateways/nope/status`, { ...p.body, metadata: { name: 'nope' } });
  assert.equal(noObj.status, 404);
  assert.equal((await a.call('DELETE', `${GW}/default/gateways/web/status`)).status, 405);
});

test('status of cluster-scoped kinds and core kinds', async (t) => {
  const a = await testAdmin(t);
  await a.call('POST', '/apis/gateway.networking.k8s.io/v1/gatewayclasses', { metadata: { name: 'gc' }, spec: { controllerName: 'x/y' } });
  const r = await a.call('PATCH', '/apis/gateway.networking.k8s.io/v1/gatewayclasses/gc/status', { status: accepted }, 'application/merge-patch+json');
  assert.equal(r.status, 200);
  assert.deepEqual(a.store.get('gateway.networking.k8s.io', 'GatewayClass', '', 'gc')!.status, accepted);
  const ns = await a.call('PATCH', '/api/v1/namespaces/default/status', { status: { phase: 'Active' } }, 'application/merge-patch+json');
  assert.equal(ns.status, 200);
  assert.equal(ns.body.status.phase, 'Active');
});
