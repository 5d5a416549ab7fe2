import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpstreamPools } from './upstream.ts';

test('copyOf gives a copy that outlives the shared buffer, and reuses its block once recycled', () => {
  const pools = new UpstreamPools();
  const shared = pools.nextReadBuffer();
  shared.fill(1, 0, 10_000);
  const first = pools.copyOf(shared.subarray(0, 10_000));
  shared.fill(2, 0, 10_000); // the next read into the shared buffer
  assert.equal(first.copy.length, 10_000);
  assert.ok(first.copy.every((b) => b === 1), 'the copy kept the bytes it was made from');
  assert.notEqual(first.copy.buffer, shared.buffer);
  const second = pools.copyOf(shared.subarray(0, 100));
  assert.notEqual(second.copy.buffer, first.copy.buffer, 'a block in use is not handed out again');
  first.recycle();
  const third = pools.copyOf(shared.subarray(0, 5));
  assert.equal(third.copy.buffer, first.copy.buffer, 'a recycled block is reused');
  assert.deepEqual([...third.copy], [2, 2, 2, 2, 2]);
  pools.close();
});
