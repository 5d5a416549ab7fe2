import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepFailure } from '../types.ts';
import { kubernetesOps } from './index.ts';
import { FakeAdmin, fakeContext } from '../runner/testing.ts';

const G = 'gateway.networking.k8s.io/v1';
const ok = (type: string, gen = 1) => ({ type, status: 'True', reason: type, observedGeneration: gen });

function gateway(extra: any = {}) {
  return {
    apiVersion: G,
    kind: 'Gateway',
    metadata: { name: 'gw', namespace: 'infra', generation: 1 },
    spec: { gatewayClassName: 'gc', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }, { name: 'alt', port: 8080, protocol: 'HTTP' }] },
    status: {
      addresses: [{ value: 'ignored-no-type' }, { type: 'IPAddress', value: '127.10.0.3' }],
      conditions: [ok('Accepted'), ok('Programmed')],
      listeners: [
        { name: 'http', attachedRoutes: 1, supportedKinds: [{ kind: 'HTTPRoute' }], conditions: [ok('Accepted'), ok('Programmed'), ok('ResolvedRefs')] },
        { name: 'alt', attachedRoutes: 0, supportedKinds: [{ kind: 'HTTPRoute' }], conditions: [ok('Accepted'), ok('Programmed'), ok('ResolvedRefs')] },
      ],
    },
    ...extra,
  };
}

function route(parentRef: any, conditions = [ok('Accepted'), ok('ResolvedRefs')]) {
  return {
    apiVersion: G,
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace: 'infra', generation: 1 },
    spec: {},
    status: { parents: [{ parentRef, controllerName: 'ctl', conditions }] },
  };
}

async function run(admin: FakeAdmin, step: any): Promise<unknown> {
  return kubernetesOps[step.op](step, fakeContext(admin));
}

test('WaitForGatewayAddress: first typed address, port of the named (or first) listener', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway());
  assert.equal(await run(admin, { op: 'kubernetes.WaitForGatewayAddress', gwRef: { gateway: 'infra/gw' } }), '127.10.0.3:80');
  assert.equal(await run(admin, { op: 'kubernetes.WaitForGatewayAddress', gwRef: { gateway: 'infra/gw', listenerNames: ['alt'] } }), '127.10.0.3:8080');
  admin.put(gateway({ status: { ...gateway().status, addresses: [{ type: 'IPAddress', value: '::1' }] } }));
  assert.equal(await run(admin, { op: 'kubernetes.WaitForGatewayAddress', gwRef: { gateway: 'infra/gw' } }), '[::1]:80');
});

test('WaitForGatewayAddress times out (fatally) without a typed address', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway({ status: { conditions: [], addresses: [{ value: 'x' }] } }));
  await assert.rejects(run(admin, { op: 'kubernetes.WaitForGatewayAddress', gwRef: { gateway: 'infra/gw' } }), (e: any) => e instanceof StepFailure && e.fatal && /no status address with a type/.test(e.message));
});

test('GatewayAndHTTPRoutesMustBeAccepted returns host:port once routes and listeners are ready', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway());
  admin.put(route({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw', namespace: 'infra' }));
  const step = { op: 'kubernetes.GatewayAndHTTPRoutesMustBeAccepted', controllerName: 'ctl', gw: { gateway: 'infra/gw' }, routeNNs: ['infra/r'] };
  assert.equal(await run(admin, step), '127.10.0.3:80');
  const noPort = { ...step, op: 'kubernetes.GatewayAndRoutesMustBeAccepted', routeType: 'HTTPRoute', usePort: false };
  assert.equal(await run(admin, noPort), '127.10.0.3');
});

test('a route status parentRef without group and kind does not satisfy the Accepted wait', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway());
  admin.put(route({ name: 'gw', namespace: 'infra' }));
  const step = { op: 'kubernetes.GatewayAndHTTPRoutesMustBeAccepted', controllerName: 'ctl', gw: { gateway: 'infra/gw' }, routeNNs: ['infra/r'] };
  await assert.rejects(run(admin, step), /HTTPRoute infra\/r parents: timed out/);
});

test('GatewayMustHaveCondition: stale conditions are an immediate error, not a wait', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway({ metadata: { name: 'gw', namespace: 'infra', generation: 2 } }));
  const started = Date.now();
  await assert.rejects(run(admin, { op: 'kubernetes.GatewayMustHaveCondition', gwNN: 'infra/gw', expectedCondition: { type: 'Accepted', status: 'True', reason: '' } }), /not at generation 2/);
  assert.ok(Date.now() - started < 250, 'failed before the 300 ms timeout');
  admin.put(gateway());
  await run(admin, { op: 'kubernetes.GatewayMustHaveCondition', gwNN: 'infra/gw', expectedCondition: { type: 'Programmed', status: 'True', reason: '' } });
});

test('GatewayStatusMustHaveListeners and GatewayMustHaveZeroRoutes (non-fatal on timeout)', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway());
  const listeners = gateway().status.listeners.map((l: any) => ({ ...l, conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }] }));
  await run(admin, { op: 'kubernetes.GatewayStatusMustHaveListeners', gwNN: 'infra/gw', listeners });
  await assert.rejects(run(admin, { op: 'kubernetes.GatewayMustHaveZeroRoutes', gwName: 'infra/gw' }), (e: any) => e instanceof StepFailure && !e.fatal);
});

test('RouteMustHaveNoAcceptedParents accepts one parent with Accepted=False at the latest generation', async () => {
  const admin = new FakeAdmin();
  admin.put(route({ name: 'gw' }, [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', observedGeneration: 1 }]));
  await run(admin, { op: 'kubernetes.HTTPRouteMustHaveNoAcceptedParents', routeName: 'infra/r' });
});

test('HTTPRouteMustHaveCondition matches the Gateway parent entry', async () => {
  const admin = new FakeAdmin();
  admin.put(route({ name: 'gw', namespace: 'infra' }, [ok('Accepted'), { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', observedGeneration: 1 }]));
  await run(admin, { op: 'kubernetes.HTTPRouteMustHaveCondition', routeNN: 'infra/r', gwNN: 'infra/gw', condition: { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' } });
  await assert.rejects(run(admin, { op: 'kubernetes.HTTPRouteMustHaveResolvedRefsConditionsTrue', routeNN: 'infra/r', gwNN: 'infra/gw' }), /timed out/);
  await assert.rejects(run(admin, { op: 'kubernetes.HTTPRouteMustHaveCondition', routeNN: 'infra/r', gwNN: 'other/gw', condition: { type: 'Accepted' } }), /timed out/);
});

test('NamespacesMustBeReady needs ready Gateways and at least one ready Pod', async () => {
  const admin = new FakeAdmin();
  admin.put(gateway());
  const step = { op: 'kubernetes.NamespacesMustBeReady', namespaces: ['infra'] };
  await assert.rejects(run(admin, step), /no Pods in infra/);
  admin.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'infra' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
  await assert.rejects(run(admin, step), /Pods not ready in infra: p/);
  admin.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'infra' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  await run(admin, step);
});

test('GetTLSSecret decodes tls.crt and tls.key; GetConfigMapData returns data', async () => {
  const admin = new FakeAdmin();
  admin.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'infra' }, data: { 'tls.crt': Buffer.from('CERT').toString('base64') } });
  assert.deepEqual(await run(admin, { op: 'kubernetes.GetTLSSecret', secretName: 'infra/s' }), ['CERT', '']);
  await assert.rejects(run(admin, { op: 'kubernetes.GetTLSSecret', secretName: 'infra/none' }), /finding TLS secret infra\/none/);
  admin.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'infra' }, data: { 'ca.crt': 'CA' } });
  assert.deepEqual(await run(admin, { op: 'kubernetes.GetConfigMapData', name: 'infra/c' }), { 'ca.crt': 'CA' });
});
