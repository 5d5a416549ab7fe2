import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeCommand, describeObject, observed } from './describe.ts';
import { testAdmin } from '../admin/testkit.ts';

const GROUP = 'gateway.networking.k8s.io';

function capture() {
  const c = { out: '', err: '' };
  return { c, out: (s: string) => void (c.out += s), err: (s: string) => void (c.err += s) };
}

test('describe a Gateway: conditions with observedGeneration, addresses, listeners', async (t) => {
  const a = await testAdmin(t);
  const g = a.store.create({ apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name: 'web' }, spec: { gatewayClassName: 'gc', listeners: [] } });
  a.store.update({ ...structuredClone(g), spec: { gatewayClassName: 'gc2', listeners: [] } });
  a.store.updateStatus({ group: GROUP, kind: 'Gateway', namespace: 'default', name: 'web' }, {
    addresses: [{ type: 'IPAddress', value: '127.0.10.1' }],
    conditions: [
      { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'fine', observedGeneration: 2 },
      { type: 'Programmed', status: 'False', reason: 'Pending', message: 'not yet', observedGeneration: 1 },
    ],
    listeners: [{ name: 'http', attachedRoutes: 3, supportedKinds: [{ kind: 'HTTPRoute' }], conditions: [{ type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', observedGeneration: 2 }] }],
  });
  const cap = capture();
  assert.equal(await describeCommand({ kind: 'gateway', name: 'web', admin: a.url }, cap.out, cap.err), 0);
  const text = cap.c.out;
  assert.match(text, /^Name:\s+web$/m);
  assert.match(text, /^Generation:\s+2$/m);
  assert.match(text, /^\s+Addresses:\s+127\.0\.10\.1 \(IPAddress\)$/m);
  assert.match(text, /^\s+Accepted\s+True\s+Accepted\s+2\s+fine$/m);
  assert.match(text, /^\s+Programmed\s+False\s+Pending\s+1 \(stale: generation 2\)\s+not yet$/m);
  assert.match(text, /^ {4}http:$/m);
  assert.match(text, /^\s+Attached Routes:\s+3$/m);
  assert.match(text, /^\s+Supported Kinds:\s+HTTPRoute$/m);
  assert.match(text, /^\s+ResolvedRefs\s+True\s+ResolvedRefs\s+2$/m);
  assert.match(text, /gatewayClassName: gc2/, 'the spec is shown');
});

test('describe all routes of a namespace shows their parents; secrets show sizes only', async (t) => {
  const a = await testAdmin(t);
  for (const name of ['r1', 'r2']) {
    a.store.create({ apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: { name, namespace: 'apps' }, spec: { parentRefs: [{ name: 'web', namespace: 'default' }] } });
  }
  a.store.updateStatus({ group: GROUP, kind: 'HTTPRoute', namespace: 'apps', name: 'r1' }, {
    parents: [{ parentRef: { name: 'web', namespace: 'default', sectionName: 'http' }, controllerName: 'gatehouse.dev/gateway-controller', conditions: [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', message: 'no', observedGeneration: 1 }] }],
  });
  a.store.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'apps' }, data: { key: Buffer.from('secret!').toString('base64') } });
  const cap = capture();
  assert.equal(await describeCommand({ kind: 'httproutes', namespace: 'apps', admin: a.url }, cap.out, cap.err), 0);
  assert.match(cap.c.out, /^Name:\s+r1$/m);
  assert.match(cap.c.out, /^Name:\s+r2$/m);
  assert.match(cap.c.out, /^ {4}Gateway default\/web section http:$/m);
  assert.match(cap.c.out, /^\s+Controller:\s+gatehouse\.dev\/gateway-controller$/m);
  assert.match(cap.c.out, /^\s+Accepted\s+False\s+NotAllowedByListeners\s+1\s+no$/m);
  assert.match(cap.c.out, /^Status:\s+<none> \(no controller has reported status yet\)$/m, 'r2 has no status yet');

  const sec = capture();
  assert.equal(await describeCommand({ kind: 'secret', name: 'tls', namespace: 'apps', admin: a.url }, sec.out, sec.err), 0);
  assert.match(sec.c.out, /^\s+key:\s+7 bytes$/m);
  assert.doesNotMatch(sec.c.out, /c2VjcmV0IQ|secret!/);
  assert.doesNotMatch(sec.c.out, /^Status:/m, 'secrets have no status to wait for');
});

test('describe exit codes', async (t) => {
  const a = await testAdmin(t);
  const nf = capture();
  assert.equal(await describeCommand({ kind: 'gc', name: 'nope', admin: a.url }, nf.out, nf.err), 1);
  assert.match(nf.c.err, /^Error from server \(NotFound\): gatewayclasses "nope" not found/);
  const bad = capture();
  assert.equal(await describeCommand({ kind: 'nonsense', admin: a.url }, bad.out, bad.err), 2);
});

test('observed marks stale conditions; describeObject survives odd status shapes', () => {
  assert.equal(observed(3, 3), '3');
  assert.equal(observed(1, 3), '1 (stale: generation 3)');
  assert.equal(observed(undefined, 3), '-');
  const odd = { apiVersion: `${GROUP}/v1`, kind: 'Gateway', metadata: { name: 'x', generation: 1 }, status: { conditions: 'nope', listeners: [null], parents: [{}], extra: { a: 1 } } };
  const text = describeObject(odd as any, new Date());
  assert.match(text, /Conditions:\s+<none>/);
  assert.match(text, /Extra:\n\s+a: 1/);
});
