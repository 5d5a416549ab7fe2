import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { K8sObject } from '../api/object.ts';
import type { AdmitResult } from './admission.ts';
import { testAdmin, gateway, GW } from './testkit.ts';
import { decodeWarnings } from './warning.ts';

/** A fake admission: rejects gatewayClassName "bad", warns about "old", stamps what it saw. */
function fakeAdmit(seen: K8sObject[]) {
  return (obj: K8sObject): AdmitResult => {
    seen.push(structuredClone(obj));
    const errors = [];
    const warnings = [];
    if (obj.spec?.gatewayClassName === 'bad') errors.push({ path: 'spec.gatewayClassName', message: 'Invalid value: "bad": not allowed' });
    if (obj.spec?.gatewayClassName === 'old') warnings.push('class "old" is going away, use "new"', 'second warning');
    if (obj.status?.bogus) errors.push({ path: 'status.bogus', message: 'Unsupported value' });
    const out = structuredClone(obj);
    out.metadata.annotations = { ...out.metadata.annotations, admitted: 'yes' };
    return { obj: out, errors, warnings };
  };
}

test('admission errors are 422 Invalid with causes, and nothing is stored', async (t) => {
  const seen: K8sObject[] = [];
  const a = await testAdmin(t, { admit: fakeAdmit(seen) });
  const r = await a.call('POST', `${GW}/default/gateways`, gateway('web', undefined, 'bad'));
  assert.equal(r.status, 422);
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'Invalid');
  assert.deepEqual(r.body.details.causes, [{ field: 'spec.gatewayClassName', message: 'Invalid value: "bad": not allowed' }]);
  assert.equal(r.body.details.name, 'web');
  assert.equal(r.body.details.kind, 'Gateway');
  assert.match(r.body.message, /^Gateway.gateway.networking.k8s.io "web" is invalid: spec.gatewayClassName: Invalid value/);
  assert.equal(a.store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'web'), undefined);
  assert.equal(seen[0].metadata.namespace, 'default', 'admission sees the object with the path filled in');
});

test('admitted objects are stored as admission returned them; warnings become Warning headers', async (t) => {
  const a = await testAdmin(t, { admit: fakeAdmit([]) });
  const r = await a.call('POST', `${GW}/default/gateways`, gateway('web', undefined, 'old'));
  assert.equal(r.status, 201);
  assert.equal(r.body.metadata.annotations.admitted, 'yes');
  const header = r.headers.get('warning') ?? '';
  assert.match(header, /^299 - "/);
  assert.deepEqual(decodeWarnings(header), ['class "old" is going away, use "new"', 'second warning']);
  const patched = await a.call('PATCH', `${GW}/default/gateways/web`, { spec: { gatewayClassName: 'bad' } }, 'application/merge-patch+json');
  assert.equal(patched.status, 422, 'patches are admitted as the merged result');
  assert.equal(a.store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'web')!.spec.gatewayClassName, 'old');
});

test('status writes are admitted; a main-resource update is admitted with the stored status', async (t) => {
  const seen: K8sObject[] = [];
  const a = await testAdmin(t, { admit: fakeAdmit(seen) });
  await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  const bad = await a.call('PATCH', `${GW}/default/gateways/web/status`, { status: { bogus: true } }, 'application/merge-patch+json');
  assert.equal(bad.status, 422);
  assert.equal(bad.body.details.causes[0].field, 'status.bogus');
  const good = await a.call('PATCH', `${GW}/default/gateways/web/status`, { status: { conditions: [] } }, 'application/merge-patch+json');
  assert.equal(good.status, 200);
  const cur = good.body;
  seen.length = 0;
  const put = await a.call('PUT', `${GW}/default/gateways/web`, { ...cur, status: { bogus: true } });
  assert.equal(put.status, 200, 'status sent to the main resource is ignored, not validated');
  assert.deepEqual(seen[0].status, { conditions: [] });
});

test('an admission hook that throws gives a 500 Status and the server keeps serving', async (t) => {
  const a = await testAdmin(t, {
    admit: () => {
      throw new Error('validator exploded');
    },
  });
  const r = await a.call('POST', `${GW}/default/gateways`, gateway('web'));
  assert.equal(r.status, 500);
  assert.equal(r.body.reason, 'InternalError');
  assert.match(r.body.message, /validator exploded/);
  assert.equal((await a.call('GET', `${GW}/default/gateways`)).status, 200);
});
