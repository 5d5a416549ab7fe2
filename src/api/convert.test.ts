import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertToStored } from './convert.ts';

test('an older Gateway API version is read as v1 with a one-line warning', () => {
  const input = { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'HTTPRoute', metadata: { name: 'r' }, spec: { hostnames: ['a.example.com'] } };
  const { obj, warning } = convertToStored(input);
  assert.equal(obj.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.deepEqual(obj.spec, input.spec);
  assert.equal(warning, 'gateway.networking.k8s.io/v1alpha2 HTTPRoute is deprecated; read as gateway.networking.k8s.io/v1');
  assert.equal(input.apiVersion, 'gateway.networking.k8s.io/v1alpha2', 'the input is not mutated');
});

test('stored versions, unknown versions and unknown kinds are left alone', () => {
  for (const apiVersion of ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v9']) {
    const r = convertToStored({ apiVersion, kind: 'Gateway', metadata: { name: 'g' } });
    assert.equal(r.obj.apiVersion, apiVersion);
    assert.equal(r.warning, undefined);
  }
  assert.equal(convertToStored({ apiVersion: 'v1', kind: 'Nope', metadata: { name: 'n' } }).warning, undefined);
});

test('every deprecated version of every kind converts', () => {
  const cases = [['GRPCRoute', 'v1alpha2'], ['BackendTLSPolicy', 'v1alpha3'], ['ReferenceGrant', 'v1beta1'], ['TLSRoute', 'v1alpha3'], ['TCPRoute', 'v1alpha2']];
  for (const [kind, v] of cases) {
    const r = convertToStored({ apiVersion: `gateway.networking.k8s.io/${v}`, kind, metadata: { name: 'x' } });
    assert.equal(r.obj.apiVersion, 'gateway.networking.k8s.io/v1', kind);
    assert.ok(r.warning?.includes('deprecated'), kind);
  }
});
