import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateObject, formatPath } from './index.ts';
import { didYouMean } from './did-you-mean.ts';
import type { K8sObject } from '../object.ts';

const route = (spec: unknown): K8sObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r' }, spec });
const lines = (o: K8sObject): string[] => validateObject(o).errors.map((e) => `${formatPath(e.path)}: ${e.message}`);

test('formatPath prints kubectl-style paths', () => {
  assert.equal(formatPath(['spec', 'rules', 0, 'matches', 1, 'path', 'type']), 'spec.rules[0].matches[1].path.type');
  assert.equal(formatPath([]), '');
});

test('the classic path.type mistake gets the enum message and a hint', () => {
  const got = lines(route({ rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }] }] }));
  assert.deepEqual(got, [
    'spec.rules[0].matches[0].path.type: Unsupported value: "Prefix": supported values: "Exact", "PathPrefix", "RegularExpression" (did you mean "PathPrefix"?)',
  ]);
});

test('didYouMean only hints when one value is clearly meant', () => {
  assert.equal(didYouMean('Prefix', ['Exact', 'PathPrefix', 'RegularExpression']), 'PathPrefix');
  assert.equal(didYouMean('exact', ['Exact', 'PathPrefix']), 'Exact');
  assert.equal(didYouMean('Exakt', ['Exact', 'PathPrefix']), 'Exact');
  assert.equal(didYouMean('Zzz', ['Exact', 'PathPrefix']), undefined);
});

test('unknown fields are rejected at any depth, like kubectl strict validation', () => {
  const got = lines(route({ rules: [{ backendRefs: [{ name: 's', port: 80, wieght: 2 }] }], bogus: true }));
  assert.ok(got.includes('spec.bogus: unknown field "spec.bogus"'), got.join('\n'));
  assert.ok(got.includes('spec.rules[0].backendRefs[0].wieght: unknown field "spec.rules[0].backendRefs[0].wieght"'), got.join('\n'));
  assert.deepEqual(lines({ ...route({}), extra: 1 }), ['extra: unknown field "extra"']);
});

test('path values must be clean absolute paths for Exact and PathPrefix', () => {
  for (const value of ['foo', '/a//b', '/a/./b', '/a/../b', '/a%2fb', '/a#', '/a/..', '/a/.']) {
    assert.ok(lines(route({ rules: [{ matches: [{ path: { type: 'PathPrefix', value } }] }] })).length > 0, value);
  }
  assert.deepEqual(lines(route({ rules: [{ matches: [{ path: { type: 'RegularExpression', value: 'a//b' } }] }] })), []);
  assert.deepEqual(lines(route({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a/b' } }] }] })), []);
});

test('ReplacePrefixMatch needs a single PathPrefix match; defaults count as one', () => {
  const rewrite = { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } } };
  assert.deepEqual(lines(route({ rules: [{ filters: [rewrite] }] })), []);
  const bad = lines(route({ rules: [{ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [rewrite] }] }));
  assert.equal(bad.length, 1);
  assert.match(bad[0], /^spec\.rules\[0\]: ReplacePrefixMatch/);
});

test('filter type and field must agree, and header names are unique', () => {
  const got = lines(route({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'a', value: '1' }, { name: 'a', value: '2' }] } }, { type: 'URLRewrite' }] }] }));
  assert.ok(got.some((l) => l.startsWith('spec.rules[0].filters[1]: urlRewrite is required')), got.join('\n'));
  assert.ok(got.some((l) => l.startsWith('spec.rules[0].filters[0].requestHeaderModifier.set[1].name: Duplicate value')), got.join('\n'));
});

test('a Service backend needs a port; other kinds do not', () => {
  assert.equal(lines(route({ rules: [{ backendRefs: [{ name: 's' }] }] })).length, 1);
  assert.deepEqual(lines(route({ rules: [{ backendRefs: [{ name: 's', group: 'example.com', kind: 'Thing' }] }] })), []);
});

test('Gateway listener rules', () => {
  const gw = (listeners: unknown[]): K8sObject => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g' }, spec: { gatewayClassName: 'c', listeners } });
  assert.deepEqual(lines(gw([{ name: 'a', port: 80, protocol: 'HTTP' }])), []);
  assert.ok(lines(gw([{ name: 'a', port: 80, protocol: 'HTTP' }, { name: 'a', port: 81, protocol: 'HTTP' }])).includes('spec.listeners: listener names must be unique'));
  assert.ok(lines(gw([{ name: 'a', port: 9, protocol: 'TCP', hostname: 'x.example.com' }])).some((l) => l.includes('hostname must not be set')));
  assert.ok(lines(gw([{ name: 'a', port: 443, protocol: 'TLS' }])).some((l) => l.includes('tls.mode is required')));
  assert.ok(lines(gw([{ name: 'a', port: 443, protocol: 'HTTPS', tls: {} }])).some((l) => l.startsWith('spec.listeners[0].tls: certificateRefs or options')));
});

test('metadata: name required and valid per kind; labels are string maps', () => {
  assert.deepEqual(lines({ ...route({}), metadata: {} as any }), ['metadata.name: Required value: name is required']);
  assert.equal(lines({ ...route({}), metadata: { name: 'Bad_Name' } }).length, 1);
  const svc = (name: string): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } });
  assert.deepEqual(lines(svc('web')), []);
  assert.equal(lines(svc('1web')).length, 1, 'Service names are DNS-1035 labels');
  assert.equal(lines({ ...route({}), metadata: { name: 'r', labels: { a: 1 as any } } }).length, 1);
});

test('core kinds: light checks and unknown top-level fields', () => {
  assert.deepEqual(lines({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 0 }] } }), [
    'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
  ]);
  assert.deepEqual(lines({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e' }, endpoints: [] } as any), ['addressType: Required value']);
  assert.deepEqual(lines({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' }, spce: 1 } as any), ['spce: unknown field "spce"']);
  assert.deepEqual(lines({ apiVersion: 'v1', kind: 'Gizmo', metadata: { name: 'x' } }), ['kind: no kind "Gizmo" is registered for version "v1"']);
});

test('nulls mean "not set", as the API server prunes them', () => {
  assert.deepEqual(lines(route({ hostnames: null, rules: [{ backendRefs: [{ name: 's', port: 80, namespace: null }] }] })), []);
});

test('bad input never throws', () => {
  for (const bad of [null, 42, 'x', [], { kind: 'HTTPRoute' }, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: 'x', spec: 'y' }]) {
    assert.ok(validateObject(bad as any).errors.length > 0, JSON.stringify(bad));
  }
});
