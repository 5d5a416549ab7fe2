import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scope, UnresolvedReference, substituteStep, substituteValue } from './refs.ts';

const opts = { controller: 'example.dev/ctl' };

test('a whole-string reference keeps its type, an embedded one becomes text', () => {
  const s = new Scope();
  s.set('gwAddr', '127.0.0.5:80');
  s.set('hostnames', ['a.example', 'b.example']);
  s.set('v2', { Address: '10.0.0.1' });
  const out = substituteValue({ list: '$hostnames', first: '$hostnames[0]', url: 'ws://$gwAddr/ws', join: '$v2.Address:8080' }, s, opts) as any;
  assert.deepEqual(out.list, ['a.example', 'b.example']);
  assert.equal(out.first, 'a.example');
  assert.equal(out.url, 'ws://127.0.0.5:80/ws');
  assert.equal(out.join, '10.0.0.1:8080');
});

test('map-key accessors, $CONTROLLER, numbers and objects embedded as text', () => {
  const s = new Scope();
  s.set('cm', { 'ca.crt': 'PEM' });
  s.set('n', 3);
  const out = substituteValue(['$cm["ca.crt"]', '$CONTROLLER', 'count=$n', '$n'], s, opts) as any[];
  assert.deepEqual(out, ['PEM', 'example.dev/ctl', 'count=3', 3]);
});

test('a field accessor on a string stays text (longest match stops at non-containers)', () => {
  const s = new Scope();
  s.set('host', 'foo');
  assert.equal(substituteValue('$host.example.com', s, opts), 'foo.example.com');
});

test('$uuid is one fresh v4 UUID per step evaluation', () => {
  const s = new Scope();
  const step = { op: 'x', a: '$uuid', b: 'id=$uuid' };
  const one = substituteStep(step, s, opts);
  const two = substituteStep(step, s, opts);
  assert.match(String(one.a), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(one.b, `id=${one.a}`);
  assert.notEqual(one.a, two.a);
});

test('prose keys, function bodies and nested step lists are not substituted up front', () => {
  const s = new Scope();
  const step = { op: 'x', description: 'uses $missing', derive: { text: '$missing' }, fn: [{ op: 'y', v: '$count' }], steps: [{ op: 'z', v: '$later' }] };
  const out = substituteStep(step, s, opts);
  assert.equal(out.description, 'uses $missing');
  assert.deepEqual(out.fn, [{ op: 'y', v: '$count' }]);
  assert.deepEqual(out.steps, [{ op: 'z', v: '$later' }]);
});

test('unknown names fail, except inside custom step data (names local to that step)', () => {
  const s = new Scope();
  assert.throws(() => substituteStep({ op: 'x', v: '$nope' }, s, opts), UnresolvedReference);
  const out = substituteStep({ op: 'custom', data: { path: '/m?id=$requestID' } }, s, opts) as any;
  assert.equal(out.data.path, '/m?id=$requestID');
});

test('child scopes see parent names; their own names stay local', () => {
  const parent = new Scope();
  parent.set('a', 1);
  const child = parent.child({ count: 5 });
  child.set('b', 2);
  assert.equal(child.get('a'), 1);
  assert.equal(child.get('count'), 5);
  assert.equal(parent.has('b'), false);
  child.set('a', 9);
  assert.equal(parent.get('a'), 1);
});
