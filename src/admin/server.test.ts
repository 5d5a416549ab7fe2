import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testAdmin, gateway, GW } from './testkit.ts';

test('create, get, list, update, patch and delete a namespaced Gateway API object', async (t) => {
  const a = await testAdmin(t);
  const created = await a.call('POST', `${GW}/team/gateways`, gateway('web'));
  assert.equal(created.status, 201);
  assert.equal(created.body.metadata.namespace, 'team', 'namespace comes from the path');
  assert.equal(created.body.metadata.generation, 1);

  const got = await a.call('GET', `${GW}/team/gateways/web`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, created.body);

  const list = await a.call('GET', `${GW}/team/gateways`);
  assert.equal(list.body.kind, 'GatewayList');
  assert.equal(list.body.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.equal(list.body.metadata.resourceVersion, String(a.store.resourceVersion));
  assert.deepEqual(list.body.items.map((o: any) => o.metadata.name), ['web']);

  const next = { ...got.body, spec: { ...got.body.spec, gatewayClassName: 'other' } };
  const updated = await a.call('PUT', `${GW}/team/gateways/web`, next);
  assert.equal(updated.status, 200);
  assert.equal(updated.body.spec.gatewayClassName, 'other');
  assert.equal(updated.body.metadata.generation, 2);

  const patched = await a.call('PATCH', `${GW}/team/gateways/web`, { metadata: { labels: { tier: 'edge' } } }, 'application/merge-patch+json');
  assert.equal(patched.status, 200);
  assert.equal(patched.body.metadata.labels.tier, 'edge');
  assert.equal(patched.body.metadata.generation, 2, 'a label change is not a spec change');

  const deleted = await a.call('DELETE', `${GW}/team/gateways/web`);
  assert.equal(deleted.status, 200);
  assert.equal(deleted.body.metadata.name, 'web');
  assert.equal((await a.call('GET', `${GW}/team/gateways/web`)).status, 404);
  assert.equal(a.store.get('gateway.networking.k8s.io', 'Gateway', 'team', 'web'), undefined);
});

test('core paths: namespaced, all namespaces, and cluster-scoped kinds including namespaces themselves', async (t) => {
  const a = await testAdmin(t);
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { ports: [{ port: 80 }] } };
  assert.equal((await a.call('POST', '/api/v1/namespaces/a/services', svc)).status, 201);
  assert.equal((await a.call('POST', '/api/v1/namespaces/b/services', svc)).status, 201);
  const all = await a.call('GET', '/api/v1/services');
  assert.deepEqual(all.body.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`), ['a/echo', 'b/echo']);
  assert.equal((await a.call('GET', '/api/v1/namespaces/b/services')).body.items.length, 1);

  const ns = await a.call('GET', '/api/v1/namespaces/a');
  assert.equal(ns.status, 200);
  assert.equal(ns.body.kind, 'Namespace');
  const nsList = await a.call('GET', '/api/v1/namespaces');
  assert.deepEqual(nsList.body.items.map((o: any) => o.metadata.name), ['a', 'b', 'default']);

  const gc = { metadata: { name: 'gc' }, spec: { controllerName: 'example.com/c' } };
  const made = await a.call('POST', '/apis/gateway.networking.k8s.io/v1/gatewayclasses', gc);
  assert.equal(made.status, 201);
  assert.equal(made.body.kind, 'GatewayClass', 'kind defaults from the path');
  assert.equal(made.body.metadata.namespace, undefined);
  assert.equal((await a.call('GET', '/apis/gateway.networking.k8s.io/v1/gatewayclasses/gc')).status, 200);
  assert.equal((await a.call('DELETE', '/apis/gateway.networking.k8s.io/v1/gatewayclasses/gc')).status, 200);

  assert.equal((await a.call('GET', '/api/v1/services/echo')).status, 404, 'a namespaced object needs its namespace');
  assert.equal((await a.call('POST', '/api/v1/services', svc)).status, 405, 'create needs a namespace');
});

test('list with labelSelector and fieldSelector; a bad selector is a 400 Status', async (t) => {
  const a = await testAdmin(t);
  await a.call('POST', `${GW}/default/gateways`, gateway('one', { app: 'web', tier: 'edge' }));
  await a.call('POST', `${GW}/default/gateways`, gateway('two', { app: 'api' }));
  await a.call('POST', `${GW}/default/gateways`, gateway('three'));
  const names = async (q: string) => (await a.call('GET', `${GW}/default/gateways?${q}`)).body.items.map((o: any) => o.metadata.name);
  assert.deepEqual(await names('labelSelector=app%3Dweb'), ['one']);
  assert.deepEqual(await names(`labelSelector=${encodeURIComponent('app in (web,api)')}`), ['one', 'two']);
  assert.deepEqual(await names(`labelSelector=${encodeURIComponent('!app')}`), ['three']);
  assert.deepEqual(await names('fieldSelector=metadata.name%3Dtwo'), ['two']);
  const bad = await a.call('GET', `${GW}/default/gateways?labelSelector=${encodeURIComponent('a b c')}`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.kind, 'Status');
  assert.equal(bad.body.reason, 'BadRequest');
  assert.equal((await a.call('GET', `${GW}/default/gateways?fieldSelector=spec.x%3D1`)).status, 400);
});

test('namespace and name on the path win; contradictions are 400', async (t) => {
  const a = await testAdmin(t);
  const wrongNs = { ...gateway('x'), metadata: { name: 'x', namespace: 'other' } };
  const r = await a.call('POST', `${GW}/default/gateways`, wrongNs);
  assert.equal(r.status, 400);
  assert.match(r.body.message, /namespace of the provided object does not match/);
  await a.call('POST', `${GW}/default/gateways`, gateway('x'));
  const cur = (await a.call('GET', `${GW}/default/gateways/x`)).body;
  const renamed = await a.call('PUT', `${GW}/default/gateways/x`, { ...cur, metadata: { ...cur.metadata, name: 'y' } });
  assert.equal(renamed.status, 400);
  assert.match(renamed.body.message, /name of the object \(y\) does not match the name on the URL \(x\)/);
  const wrongKind = await a.call('POST', `${GW}/default/gateways`, { ...gateway('z'), kind: 'HTTPRoute' });
  assert.equal(wrongKind.status, 400);
  const wrongGroup = await a.call('POST', `${GW}/default/gateways`, { ...gateway('z'), apiVersion: 'v1' });
  assert.equal(wrongGroup.status, 400);
});

test('conflicts: stale resourceVersion on PUT and duplicate create are 409 Status objects', async (t) => {
  const a = await testAdmin(t);
  const first = (await a.call('POST', `${GW}/default/gateways`, gateway('web'))).body;
  const again = await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  assert.equal(again.status, 409);
  assert.equal(again.body.reason, 'AlreadyExists');
  await a.call('PATCH', `${GW}/default/gateways/web`, { spec: { gatewayClassName: 'b' } }, 'application/merge-patch+json');
  const stale = await a.call('PUT', `${GW}/default/gateways/web`, first);
  assert.equal(stale.status, 409);
  assert.deepEqual(
    { kind: stale.body.kind, apiVersion: stale.body.apiVersion, status: stale.body.status, reason: stale.body.reason, code: stale.body.code },
    { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Conflict', code: 409 },
  );
  assert.equal(stale.body.details.name, 'web');
  const stalePatch = await a.call('PATCH', `${GW}/default/gateways/web`, { metadata: { resourceVersion: first.metadata.resourceVersion } }, 'application/merge-patch+json');
  assert.equal(stalePatch.status, 409, 'a resourceVersion in a merge patch is a precondition');
  const del = await a.call('DELETE', `${GW}/default/gateways/web`, { preconditions: { resourceVersion: first.metadata.resourceVersion } });
  assert.equal(del.status, 409, 'delete preconditions are honoured');
  assert.ok(a.store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'web'));
});

test('merge patch: null deletes, application/json is a merge patch, strategic merge is 415', async (t) => {
  const a = await testAdmin(t);
  await a.call('POST', `${GW}/default/gateways`, gateway('web', { a: '1', b: '2' }));
  const p1 = await a.call('PATCH', `${GW}/default/gateways/web`, { metadata: { labels: { a: null } } }, 'application/merge-patch+json');
  assert.deepEqual(p1.body.metadata.labels, { b: '2' });
  const p2 = await a.call('PATCH', `${GW}/default/gateways/web`, { spec: { listeners: null } }, 'application/json');
  assert.equal(p2.status, 200);
  assert.equal(p2.body.spec.listeners, undefined);
  assert.equal(p2.body.spec.gatewayClassName, 'gc');
  const smp = await a.call('PATCH', `${GW}/default/gateways/web`, { spec: {} }, 'application/strategic-merge-patch+json');
  assert.equal(smp.status, 415);
  assert.equal(smp.body.reason, 'UnsupportedMediaType');
  assert.match(smp.body.message, /strategic merge patch is not supported.*merge-patch\+json/);
  const notObject = await a.call('PATCH', `${GW}/default/gateways/web`, [1], 'application/merge-patch+json');
  assert.equal(notObject.status, 400);
  const missing = await a.call('PATCH', `${GW}/default/gateways/nope`, {}, 'application/merge-patch+json');
  assert.equal(missing.status, 404);
});

test('errors are Status objects: not found, unknown paths, malformed JSON, body limit, bad encoding', async (t) => {
  const a = await testAdmin(t, { maxBodyBytes: 1024 });
  const nf = await a.call('GET', `${GW}/default/httproutes/nope`);
  assert.equal(nf.status, 404);
  assert.deepEqual([nf.body.kind, nf.body.reason, nf.body.code, nf.body.details.name], ['Status', 'NotFound', 404, 'nope']);
  assert.match(nf.body.message, /httproutes "nope" not found/);
  assert.equal((await a.call('GET', '/apis/example.com/v1/widgets')).body.reason, 'NotFound');
  assert.equal((await a.call('GET', `${GW}/default/gateways/web/scale`)).status, 404);
  assert.equal((await a.call('GET', `/api/v1/namespaces/default/secrets/s/status`)).status, 404, 'secrets have no status');

  const bad = await a.call('POST', `${GW}/default/gateways`, '{"metadata": {');
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /malformed JSON/);
  const big = await a.call('POST', `${GW}/default/gateways`, { ...gateway('big'), pad: 'x'.repeat(2000) });
  assert.equal(big.status, 413);
  assert.equal(big.body.reason, 'RequestEntityTooLarge');
  assert.equal(a.store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'big'), undefined);
  const enc = await a.call('GET', `${GW}/default/gateways/%E0%A4%A`);
  assert.equal(enc.status, 400);
  const yaml = await a.call('POST', `${GW}/default/gateways`, 'kind: Gateway', 'application/yaml');
  assert.equal(yaml.status, 415);
  const noName = await a.call('POST', `${GW}/default/gateways`, { spec: {} });
  assert.equal(noName.status, 422);
  assert.equal(noName.body.details.causes[0].field, 'metadata.name');
  const put = await a.call('POST', `${GW}/default/gateways/x`, gateway('x'));
  assert.equal(put.status, 405);
  // The server is still fine after all of that.
  assert.equal((await a.call('GET', '/healthz')).body, 'ok');
});

test('generateName gets a unique suffix', async (t) => {
  const a = await testAdmin(t);
  const body = { metadata: { generateName: 'web-' }, spec: { gatewayClassName: 'gc', listeners: [] } };
  const one = await a.call('POST', `${GW}/default/gateways`, body);
  const two = await a.call('POST', `${GW}/default/gateways`, body);
  assert.equal(one.status, 201);
  assert.match(one.body.metadata.name, /^web-[a-z0-9]{5}$/);
  assert.notEqual(one.body.metadata.name, two.body.metadata.name);
});

test('deprecated versions are served, answer in the stored version, and warn', async (t) => {
  const a = await testAdmin(t);
  const route = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { hostnames: ['a.example'] } };
  const made = await a.call('POST', '/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/httproutes', route);
  assert.equal(made.status, 201);
  assert.equal(made.body.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.match(made.headers.get('warning') ?? '', /^299 - "gateway.networking.k8s.io\/v1beta1 HTTPRoute is deprecated; use gateway.networking.k8s.io\/v1 HTTPRoute"$/);
  const old = await a.call('GET', '/apis/gateway.networking.k8s.io/v1alpha2/namespaces/default/httproutes/r');
  assert.equal(old.status, 200);
  assert.equal(old.body.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.ok(old.headers.get('warning'));
  const cur = await a.call('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/r');
  assert.equal(cur.headers.get('warning'), null, 'no warning on the stored version');
  assert.equal((await a.call('GET', '/apis/gateway.networking.k8s.io/v9/namespaces/default/httproutes')).status, 404);
  assert.equal((await a.call('GET', '/apis/gateway.networking.k8s.io/v1alpha3/namespaces/default/httproutes')).status, 404, 'not a version of HTTPRoute');
  // A v1 object sent to a deprecated path is accepted too: the group and kind are what must agree.
  const v1 = await a.call('PUT', '/apis/gateway.networking.k8s.io/v1beta1/namespaces/default/httproutes/r', cur.body);
  assert.equal(v1.status, 200);
});

test('discovery, health and extra routes', async (t) => {
  const a = await testAdmin(t, {
    extraRoutes: (req, res) => {
      if (req.url !== '/debug/ir') return false;
      res.end('{"version":1}');
      return true;
    },
  });
  assert.equal((await a.call('GET', '/readyz')).body, 'ok');
  const api = await a.call('GET', '/api');
  assert.deepEqual(api.body.versions, ['v1']);
  const groups = await a.call('GET', '/apis');
  const gw = groups.body.groups.find((g: any) => g.name === 'gateway.networking.k8s.io');
  assert.equal(gw.preferredVersion.version, 'v1');
  assert.ok(gw.versions.some((v: any) => v.version === 'v1beta1'));
  const res = await a.call('GET', '/apis/gateway.networking.k8s.io/v1');
  const gateways = res.body.resources.find((r: any) => r.name === 'gateways');
  assert.deepEqual([gateways.kind, gateways.namespaced], ['Gateway', true]);
  assert.ok(gateways.verbs.includes('watch'));
  assert.ok(res.body.resources.some((r: any) => r.name === 'gateways/status'));
  const beta = await a.call('GET', '/apis/gateway.networking.k8s.io/v1beta1');
  assert.ok(!beta.body.resources.some((r: any) => r.name === 'listenersets'), 'only kinds served at that version');
  const core = await a.call('GET', '/api/v1');
  assert.ok(core.body.resources.some((r: any) => r.name === 'services' && r.shortNames?.includes('svc')));
  assert.deepEqual((await a.call('GET', '/debug/ir')).body, { version: 1 });
  assert.equal((await a.call('GET', '/debug/nothing')).status, 404);
});
