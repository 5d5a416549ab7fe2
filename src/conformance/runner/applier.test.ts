import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Applier, transformObject, type ApplierConfig } from './applier.ts';
import { FakeAdmin, testTimeouts } from './testing.ts';

const cfg: ApplierConfig = { gatewayClassName: 'gateway-conformance', controllerName: 'ctl', usableAddresses: ['127.10.0.200'], unusableAddresses: ['Hostname=bad.example'] };

test('Gateways get the suite class; address placeholders become the pools, fake-invalid entries kept', () => {
  const gw = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'g', namespace: 'n' },
    spec: { gatewayClassName: '{GATEWAY_CLASS_NAME}', addresses: [{ type: 'test/fake-invalid-type', value: 'x' }, { value: 'PLACEHOLDER_UNUSABLE_ADDRS' }, { value: 'PLACEHOLDER_USABLE_ADDRS' }] },
  };
  const out = transformObject(gw, cfg);
  assert.equal(out.spec.gatewayClassName, 'gateway-conformance');
  assert.deepEqual(out.spec.addresses, [{ type: 'test/fake-invalid-type', value: 'x' }, { type: 'Hostname', value: 'bad.example' }, { type: 'IPAddress', value: '127.10.0.200' }]);
  assert.equal(gw.spec.gatewayClassName, '{GATEWAY_CLASS_NAME}', 'input not mutated');
  const bare = transformObject({ ...gw, spec: { gatewayClassName: 'x', addresses: [{ type: 'IPAddress' }] } }, cfg);
  assert.equal('addresses' in bare.spec, false, 'value-less addresses removed');
});

test('GatewayClass manifests get the suite controllerName', () => {
  const out = transformObject({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'c' }, spec: { controllerName: '{GATEWAY_CONTROLLER_NAME}' } }, cfg);
  assert.equal(out.spec.controllerName, 'ctl');
});

test('apply creates then updates; create ignores AlreadyExists; cleanup deletes everything', async () => {
  const admin = new FakeAdmin();
  const applier = new Applier(admin, cfg, testTimeouts());
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' }, data: { k: '1' } };
  await applier.apply([cm]);
  await applier.apply([{ ...cm, data: { k: '2' } }]);
  assert.equal((await admin.get('v1', 'ConfigMap', 'n', 'a')).data.k, '2');
  await applier.create({ ...cm, data: { k: '3' } });
  assert.equal((await admin.get('v1', 'ConfigMap', 'n', 'a')).data.k, '2', 'existing object left alone');
  assert.equal(applier.size, 1);
  assert.deepEqual(await applier.cleanup(), []);
  assert.equal(admin.objects.size, 0);
});
