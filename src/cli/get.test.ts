import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { getCommand, humanDuration, renderTable } from './get.ts';
import { testAdmin } from '../admin/testkit.ts';
import type { Store } from '../store/store.ts';

function capture() {
  const c = { out: '', err: '' };
  return { c, out: (s: string) => void (c.out += s), err: (s: string) => void (c.err += s) };
}

function seed(store: Store): void {
  store.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'gatehouse' }, spec: { controllerName: 'gatehouse.dev/gateway-controller' } });
  store.updateStatus({ group: 'gateway.networking.k8s.io', kind: 'GatewayClass', namespace: '', name: 'gatehouse' }, { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }] });
  store.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web' }, spec: { gatewayClassName: 'gatehouse', listeners: [] } });
  store.updateStatus({ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'web' }, {
    addresses: [{ type: 'IPAddress', value: '127.0.10.1' }],
    conditions: [{ type: 'Programmed', status: 'True', reason: 'Programmed' }],
  });
  store.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r1', namespace: 'apps' }, spec: { hostnames: ['a.example', 'b.example'] } });
  store.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r2' }, spec: {} });
}

/** The table's cells, split on runs of two or more spaces. */
function cells(table: string): string[][] {
  return table.trim().split('\n').map((l) => l.split(/\s{2,}/));
}

test('get prints kubectl-like tables with per-kind columns', async (t) => {
  const a = await testAdmin(t);
  seed(a.store);
  const gw = capture();
  assert.equal(await getCommand({ kind: 'gw', admin: a.url }, gw.out, gw.err), 0);
  const [head, row] = cells(gw.c.out);
  assert.deepEqual(head, ['NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED', 'AGE']);
  assert.deepEqual(row.slice(0, 4), ['web', 'gatehouse', '127.0.10.1', 'True']);
  assert.match(row[4], /^\d+(s|m)/);

  const gc = capture();
  assert.equal(await getCommand({ kind: 'GatewayClass', admin: a.url }, gc.out, gc.err), 0);
  assert.deepEqual(cells(gc.c.out)[1].slice(0, 3), ['gatehouse', 'gatehouse.dev/gateway-controller', 'True']);

  const routes = capture();
  assert.equal(await getCommand({ kind: 'httproutes', allNamespaces: true, admin: a.url }, routes.out, routes.err), 0);
  const rows = cells(routes.c.out);
  assert.deepEqual(rows[0], ['NAMESPACE', 'NAME', 'HOSTNAMES', 'AGE']);
  assert.deepEqual(rows.slice(1).map((r) => r.slice(0, 3)), [['apps', 'r1', 'a.example,b.example'], ['default', 'r2', '<none>']]);

  const ns = capture();
  assert.equal(await getCommand({ kind: 'httproute', namespace: 'apps', admin: a.url }, ns.out, ns.err), 0);
  assert.deepEqual(cells(ns.c.out).slice(1).map((r) => r[0]), ['r1']);

  const plain = capture();
  assert.equal(await getCommand({ kind: 'ns', admin: a.url }, plain.out, plain.err), 0);
  assert.deepEqual(cells(plain.c.out)[0], ['NAME', 'AGE']);
});

test('get -o yaml and -o json print the objects', async (t) => {
  const a = await testAdmin(t);
  seed(a.store);
  const y = capture();
  assert.equal(await getCommand({ kind: 'gateway', name: 'web', output: 'yaml', admin: a.url }, y.out, y.err), 0);
  const obj = YAML.parse(y.c.out);
  assert.equal(obj.kind, 'Gateway');
  assert.equal(obj.status.addresses[0].value, '127.0.10.1');
  const j = capture();
  assert.equal(await getCommand({ kind: 'httproutes', namespace: 'apps', output: 'json', admin: a.url }, j.out, j.err), 0);
  const list = JSON.parse(j.c.out);
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items.map((o: any) => o.metadata.name), ['r1']);
});

test('get exit codes: 1 with the Status message when not found, 2 for an unknown kind, 0 for an empty list', async (t) => {
  const a = await testAdmin(t);
  const nf = capture();
  assert.equal(await getCommand({ kind: 'gw', name: 'nope', admin: a.url }, nf.out, nf.err), 1);
  assert.equal(nf.c.err, 'Error from server (NotFound): gateways "nope" not found\n');
  assert.equal(nf.c.out, '');
  const bad = capture();
  assert.equal(await getCommand({ kind: 'widgets', admin: a.url }, bad.out, bad.err), 2);
  assert.match(bad.c.err, /doesn't have a resource type "widgets"/);
  const byName = capture();
  assert.equal(await getCommand({ kind: 'gw', name: 'x', allNamespaces: true, admin: a.url }, byName.out, byName.err), 2);
  const empty = capture();
  assert.equal(await getCommand({ kind: 'gw', namespace: 'void', admin: a.url }, empty.out, empty.err), 0);
  assert.equal(empty.c.err, 'No resources found in void namespace.\n');
});

test('humanDuration follows kubectl age steps', () => {
  const cases: [number, string][] = [
    [-5, '<invalid>'], [0, '0s'], [119, '119s'], [200, '3m20s'], [300, '5m'], [95 * 60, '95m'],
    [5 * 3600 + 600, '5h10m'], [30 * 3600, '30h'], [3 * 86400 + 4 * 3600, '3d4h'], [120 * 86400, '120d'],
    [(2 * 365 + 30) * 86400, '2y30d'], [9 * 365 * 86400, '9y'],
  ];
  for (const [s, want] of cases) assert.equal(humanDuration(s), want, String(s));
});

test('renderTable aligns columns and trims trailing space', () => {
  assert.equal(renderTable([['A', 'BB', ''], ['ccc', 'd', 'e']]), 'A     BB\nccc   d    e\n');
});
