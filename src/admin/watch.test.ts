import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdminClient, type ClientWatchEvent } from '../cli/client.ts';
import { testAdmin, gateway, GW } from './testkit.ts';

const V1 = 'gateway.networking.k8s.io/v1';

/** Waits until `cond` holds, checking after each macrotask (no timing assumptions). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition never held');
}

function short(ev: ClientWatchEvent): string {
  return `${ev.type} ${ev.object.metadata?.name}`;
}

test('watch: ADDED for what exists, then MODIFIED, then DELETED; abort closes the stream', async (t) => {
  const a = await testAdmin(t);
  const client = new AdminClient(a.url);
  await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  const ac = new AbortController();
  const it = client.watch(V1, 'Gateway', { namespace: 'default', signal: ac.signal });
  const first = await it.next();
  assert.equal(short(first.value as ClientWatchEvent), 'ADDED web');
  await a.call('PATCH', `${GW}/default/gateways/web`, { spec: { gatewayClassName: 'b' } }, 'application/merge-patch+json');
  const second = (await it.next()).value as ClientWatchEvent;
  assert.equal(short(second), 'MODIFIED web');
  assert.equal(second.object.spec.gatewayClassName, 'b');
  await a.call('DELETE', `${GW}/default/gateways/web`);
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'DELETED web');
  assert.equal(a.activeWatches(), 1);
  ac.abort();
  assert.equal((await it.next()).done, true, 'the iterator ends quietly on abort');
  await until(() => a.activeWatches() === 0);
});

test('watch streams newline-delimited JSON over a chunked response', async (t) => {
  const a = await testAdmin(t);
  await a.call('POST', `${GW}/default/gateways`, gateway('one'));
  await a.call('POST', `${GW}/default/gateways`, gateway('two'));
  const ac = new AbortController();
  const res = await fetch(`${a.url}${GW}/default/gateways?watch=1`, { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('transfer-encoding'), 'chunked');
  const reader = res.body!.getReader();
  let text = '';
  while (text.split('\n').length < 3) text += new TextDecoder().decode((await reader.read()).value);
  const lines = text.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED one', 'ADDED two']);
  ac.abort();
  await until(() => a.activeWatches() === 0);
});

test('watch filters by namespace, name and label selector; leaving the selection is DELETED', async (t) => {
  const a = await testAdmin(t);
  const client = new AdminClient(a.url);
  await a.call('POST', `${GW}/a/gateways`, gateway('in', { app: 'web' }));
  const ac = new AbortController();
  const it = client.watch(V1, 'Gateway', { namespace: 'a', labelSelector: 'app=web', signal: ac.signal });
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'ADDED in');
  await a.call('POST', `${GW}/b/gateways`, gateway('other-ns', { app: 'web' }));
  await a.call('POST', `${GW}/a/gateways`, gateway('no-label'));
  await a.call('PATCH', `${GW}/a/gateways/no-label`, { metadata: { labels: { app: 'web' } } }, 'application/merge-patch+json');
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'ADDED no-label', 'entering the selection is ADDED');
  await a.call('PATCH', `${GW}/a/gateways/in`, { metadata: { labels: { app: null } } }, 'application/merge-patch+json');
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'DELETED in', 'leaving the selection is DELETED');
  await a.call('DELETE', `${GW}/a/gateways/in`);
  await a.call('DELETE', `${GW}/a/gateways/no-label`);
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'DELETED no-label');
  ac.abort();

  const byName = new AbortController();
  const one = client.watch(V1, 'Gateway', { namespace: 'b', name: 'other-ns', signal: byName.signal });
  assert.equal(short((await one.next()).value as ClientWatchEvent), 'ADDED other-ns');
  await a.call('POST', `${GW}/b/gateways`, gateway('zzz'));
  await a.call('DELETE', `${GW}/b/gateways/other-ns`);
  assert.equal(short((await one.next()).value as ClientWatchEvent), 'DELETED other-ns');
  byName.abort();
  await until(() => a.activeWatches() === 0);
});

test('watch from a resourceVersion replays only later events; too old a version is an ERROR 410', async (t) => {
  const a = await testAdmin(t, { watchHistory: 3 });
  const client = new AdminClient(a.url);
  await a.call('POST', `${GW}/default/gateways`, gateway('early'));
  const listed = await client.listWithVersion(V1, 'Gateway', { namespace: 'default' });
  assert.deepEqual(listed.items.map((o) => o.metadata.name), ['early']);
  await a.call('POST', `${GW}/default/gateways`, gateway('late'));
  const ac = new AbortController();
  const it = client.watch(V1, 'Gateway', { namespace: 'default', resourceVersion: listed.resourceVersion, signal: ac.signal });
  const ev = (await it.next()).value as ClientWatchEvent;
  assert.equal(short(ev), 'ADDED late', 'the object listed before is not sent again');
  ac.abort();

  for (const n of ['x1', 'x2', 'x3', 'x4']) await a.call('POST', `${GW}/default/gateways`, gateway(n));
  const old = client.watch(V1, 'Gateway', { resourceVersion: listed.resourceVersion });
  const err = (await old.next()).value as ClientWatchEvent;
  assert.equal(err.type, 'ERROR');
  assert.equal(err.object.code, 410);
  assert.equal(err.object.reason, 'Expired');
  assert.equal((await old.next()).done, true, 'the server ends the stream after the error');
  const bad = await a.call('GET', `${GW}/default/gateways?watch=true&resourceVersion=abc`);
  assert.equal(bad.status, 400);
  await until(() => a.activeWatches() === 0);
});

test('closing the server ends open watch streams', async (t) => {
  const a = await testAdmin(t);
  const client = new AdminClient(a.url);
  await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  const it = client.watch(V1, 'Gateway');
  assert.equal(short((await it.next()).value as ClientWatchEvent), 'ADDED web');
  await a.close();
  assert.equal((await it.next()).done, true);
});
