import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopbackAllocator, canonicalIp, parseCidr } from './addresses.ts';

test('each Gateway keeps its own address; freed addresses are reused', () => {
  const a = new LoopbackAllocator('127.10.0.0/29');
  const g1 = a.assign('ns/a', []);
  const g2 = a.assign('ns/b', []);
  assert.deepEqual(g1, { ok: true, address: '127.10.0.1' });
  assert.deepEqual(g2, { ok: true, address: '127.10.0.2' });
  assert.deepEqual(a.assign('ns/a', []), g1, 'stable across translations');
  a.retain(['ns/b']);
  assert.deepEqual(a.assign('ns/c', []), { ok: true, address: '127.10.0.1' });
});

test('the pool runs out with a reason', () => {
  const a = new LoopbackAllocator('127.10.0.0/30');
  assert.equal(a.assign('a', []).ok, true);
  assert.equal(a.assign('b', []).ok, true);
  const r = a.assign('c', []);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'AddressNotAssigned');
});

test('requested addresses: loopback granted, others refused with the spec reasons', () => {
  const a = new LoopbackAllocator('127.10.0.0/24');
  assert.deepEqual(a.assign('x', [{ type: 'IPAddress', value: '127.0.0.5' }]), { ok: true, address: '127.0.0.5' });
  const taken = a.assign('y', [{ value: '127.0.0.5' }]);
  assert.equal(!taken.ok && taken.reason, 'AddressNotUsable');
  const remote = a.assign('z', [{ type: 'IPAddress', value: '10.1.2.3' }]);
  assert.equal(!remote.ok && remote.reason, 'AddressNotUsable');
  const host = a.assign('h', [{ type: 'Hostname', value: 'gw.example' }]);
  assert.equal(!host.ok && host.reason, 'UnsupportedAddress');
});

test('CIDR parsing', () => {
  assert.deepEqual(parseCidr('127.10.0.0/24'), { first: 0x7f0a0001, last: 0x7f0a00fe });
  assert.deepEqual(parseCidr('127.0.0.1/32'), { first: 0x7f000001, last: 0x7f000001 });
  assert.throws(() => parseCidr('127.0.0.0'), /invalid address pool/);
});

test('an IPAddress entry without a value gets a pool address, stable across translations', () => {
  const a = new LoopbackAllocator('127.10.0.0/29');
  const r = a.assign('ns/empty', [{ type: 'IPAddress', value: '' }]);
  assert.deepEqual(r, { ok: true, address: '127.10.0.1' });
  assert.deepEqual(a.assign('ns/other', []), { ok: true, address: '127.10.0.2' });
  assert.deepEqual(a.assign('ns/empty', [{ type: 'IPAddress', value: '' }]), r);
  assert.deepEqual(a.assign('ns/empty', [{ value: '' }]), r, 'type defaults to IPAddress');
});

test('several addresses are all granted, in spec order, or none is', () => {
  const a = new LoopbackAllocator('127.10.0.0/29');
  const two = a.assign('ns/multi', [{ value: '127.0.0.7' }, { value: '' }, { value: '::1' }]);
  assert.deepEqual(two, { ok: true, address: '127.0.0.7', addresses: ['127.0.0.7', '127.10.0.1', '::1'] });
  // One unusable entry refuses the whole request and grants nothing new.
  const bad = a.assign('ns/multi', [{ value: '127.0.0.8' }, { value: '192.0.2.1' }]);
  assert.equal(!bad.ok && bad.reason, 'AddressNotUsable');
  assert.match(!bad.ok ? bad.message : '', /192\.0\.2\.1/);
  assert.deepEqual(a.assign('ns/other', [{ value: '127.0.0.8' }]), { ok: true, address: '127.0.0.8' }, '127.0.0.8 was not reserved');
  const held = a.assign('ns/third', [{ value: '127.0.0.7' }]);
  assert.equal(!held.ok && held.reason, 'AddressNotUsable', 'a refused Gateway keeps what it held');
  assert.deepEqual(a.assign('ns/multi', [{ value: '127.0.0.7' }]), { ok: true, address: '127.0.0.7' });
  assert.deepEqual(a.assign('ns/fourth', []), { ok: true, address: '127.10.0.1' }, 'the dropped pool address is free again');
});

test('an unsupported entry anywhere wins over an unusable one (Accepted=False before Programmed=False)', () => {
  const a = new LoopbackAllocator('127.10.0.0/29');
  const r = a.assign('ns/gw', [{ value: '192.0.2.1' }, { type: 'test/fake-invalid-type', value: 'fake address teehee!' }, { value: '127.0.0.9' }]);
  assert.equal(!r.ok && r.reason, 'UnsupportedAddress');
  const named = a.assign('ns/gw', [{ type: 'NamedAddress', value: 'my-ip' }]);
  assert.equal(!named.ok && named.reason, 'UnsupportedAddress');
  const malformed = a.assign('ns/gw', [{ type: 'IPAddress', value: '127.0.0' }]);
  assert.equal(!malformed.ok && malformed.reason, 'UnsupportedAddress');
});

test('IPv6 values are compared in canonical form', () => {
  const a = new LoopbackAllocator('127.10.0.0/29');
  assert.deepEqual(a.assign('ns/a', [{ value: '0:0:0:0:0:0:0:1' }]), { ok: true, address: '::1' });
  const clash = a.assign('ns/b', [{ value: '::0001' }]);
  assert.equal(!clash.ok && clash.reason, 'AddressNotUsable');
  assert.equal(canonicalIp('FE80::A'), 'fe80::a');
  assert.equal(canonicalIp('fe80::1%eth0'), undefined);
  assert.equal(canonicalIp('gw.example'), undefined);
});

test('empty entries exhaust the pool with AddressNotAssigned', () => {
  const a = new LoopbackAllocator('127.10.0.0/30');
  const r = a.assign('ns/greedy', [{ value: '' }, { value: '' }, { value: '' }]);
  assert.equal(!r.ok && r.reason, 'AddressNotAssigned');
  assert.deepEqual(a.assign('ns/greedy', [{ value: '' }, { value: '' }]), { ok: true, address: '127.10.0.1', addresses: ['127.10.0.1', '127.10.0.2'] });
});

test('a /32 pool is shared by every Gateway', () => {
  const a = new LoopbackAllocator('127.0.0.1/32');
  assert.deepEqual(a.assign('ns/a', []), { ok: true, address: '127.0.0.1' });
  assert.deepEqual(a.assign('ns/b', [{ value: '' }, { value: '' }]), { ok: true, address: '127.0.0.1' });
});
