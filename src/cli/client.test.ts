import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminClient, AdminError, failureMessage, resolveKind } from './client.ts';
import { testAdmin } from '../admin/testkit.ts';

test('resolveKind accepts kinds as users type them', () => {
  const kindOf = (s: string) => resolveKind(s)?.kind;
  for (const s of ['gateway', 'gateways', 'gw', 'gtw', 'Gateway', 'GATEWAYS']) assert.equal(kindOf(s), 'Gateway', s);
  for (const s of ['httproute', 'httproutes', 'HTTPRoute']) assert.equal(kindOf(s), 'HTTPRoute', s);
  for (const s of ['GatewayClass', 'gc', 'gatewayclasses']) assert.equal(kindOf(s), 'GatewayClass', s);
  assert.equal(kindOf('svc'), 'Service');
  assert.equal(kindOf('ns'), 'Namespace');
  assert.equal(kindOf('referencegrant'), 'ReferenceGrant');
  assert.equal(kindOf('refgrant'), 'ReferenceGrant');
  assert.equal(kindOf('endpointslices'), 'EndpointSlice');
  assert.equal(kindOf('httproutes.gateway.networking.k8s.io'), 'HTTPRoute');
  assert.equal(kindOf('deployment.apps'), 'Deployment');
  assert.equal(kindOf('httproutes.apps'), undefined, 'a group qualifier must match');
  assert.equal(kindOf('widgets'), undefined);
  assert.equal(kindOf(''), undefined);
});

test('client: CRUD, status get/patch, list with version, warnings', async (t) => {
  const a = await testAdmin(t);
  const warnings: string[] = [];
  const c = new AdminClient(a.url + '/', { onWarning: (w) => warnings.push(w) });
  const gw = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'Gateway', metadata: { name: 'web', namespace: 'x' }, spec: { gatewayClassName: 'gc', listeners: [] } };
  const made = await c.create(gw);
  assert.equal(made.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(warnings.length, 1, 'the deprecated apiVersion in the body is reported');
  assert.match(warnings[0], /v1beta1 Gateway is deprecated/);
  const patched = await c.patchStatus('gateway.networking.k8s.io/v1', 'Gateway', 'x', 'web', { status: { addresses: [{ value: '127.0.0.9' }] }, spec: { gatewayClassName: 'no' } });
  assert.equal(patched.status.addresses[0].value, '127.0.0.9');
  assert.equal(patched.spec.gatewayClassName, 'gc');
  const st = await c.getStatus('gateway.networking.k8s.io/v1', 'Gateway', 'x', 'web');
  assert.deepEqual(st.status, patched.status);
  const applied = await c.apply({ ...gw, apiVersion: 'gateway.networking.k8s.io/v1', spec: { gatewayClassName: 'other', listeners: [] } });
  assert.equal(applied.metadata.generation, 2);
  const { items, resourceVersion } = await c.listWithVersion('gateway.networking.k8s.io/v1', 'Gateway', { namespace: 'x', fieldSelector: 'metadata.name=web' });
  assert.equal(items.length, 1);
  assert.equal(resourceVersion, String(a.store.resourceVersion));
  await c.delete('gateway.networking.k8s.io/v1', 'Gateway', 'x', 'web');
  assert.equal(await c.tryGet('gateway.networking.k8s.io/v1', 'Gateway', 'x', 'web'), undefined);
  await assert.rejects(c.get('gateway.networking.k8s.io/v1', 'Gateway', 'x', 'web'), (err: unknown) => {
    assert.ok(err instanceof AdminError);
    assert.equal(err.code, 404);
    assert.equal(failureMessage(err), 'Error from server (NotFound): gateways "web" not found');
    return true;
  });
});

test('failureMessage explains an unreachable admin API', async (t) => {
  const a = await testAdmin(t);
  const url = a.url;
  await a.close();
  const err = await new AdminClient(url).list('v1', 'Service').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.match(failureMessage(err, url), new RegExp(`^error: cannot reach the admin API at ${url.replace(/[.]/g, '\\.')}: `));
});
