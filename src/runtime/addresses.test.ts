import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopbackAllocator, parseCidr } from './addresses.ts';

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
