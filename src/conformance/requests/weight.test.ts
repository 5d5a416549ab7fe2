import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepFailure } from '../types.ts';
import { checkDistribution, weightedDistributionOnce, weightedDistributionBatchOnce, type Sender } from './weight.ts';
import { requestOps } from './index.ts';
import { fakeCtx } from './testkit.ts';
import { backendOfPod } from './util.ts';

/** A sender that answers from a fixed, shuffled-free schedule: deterministic shares. */
function scheduled(pods: string[]): Sender & { calls: number; inFlight: number; maxInFlight: number } {
  const s = {
    kind: 'sender' as const,
    calls: 0,
    inFlight: 0,
    maxInFlight: 0,
    send: async () => {
      const i = s.calls++;
      s.inFlight++;
      s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
      await new Promise((r) => setImmediate(r));
      s.inFlight--;
      return pods[i % pods.length]!;
    },
  };
  return s;
}

const seventyThirty = [...Array(7).fill('v1-a-b'), ...Array(3).fill('v2-c-d')];

test('backend name drops the last two parts', () => {
  assert.equal(backendOfPod('infra-backend-v1-7d9f8-x2k4q'), 'infra-backend-v1');
  assert.equal(backendOfPod('a-b'), 'a-b');
});

test('distribution math: exact shares pass, 0-weight must see nothing, tolerance is absolute', () => {
  const w = { v1: 0.7, v2: 0.3, v3: 0 };
  assert.deepEqual(checkDistribution(new Map([['v1', 350], ['v2', 150]]), 500, w), []);
  assert.deepEqual(checkDistribution(new Map([['v1', 374], ['v2', 126]]), 500, w), []); // 0.048 off
  const off = checkDistribution(new Map([['v1', 380], ['v2', 120]]), 500, w);
  assert.equal(off.length, 2);
  const extra = checkDistribution(new Map([['v1', 349], ['v2', 150], ['v3', 1]]), 500, w);
  assert.ok(extra.some((m) => m.includes('saw 3 backends')));
  const missing = checkDistribution(new Map([['v1', 500]]), 500, w);
  assert.ok(missing.some((m) => m.includes('v2 received no requests')));
});

test('500 requests with at most 10 in flight', async () => {
  const s = scheduled(seventyThirty);
  assert.equal(await weightedDistributionOnce(s, { v1: 0.7, v2: 0.3 }), undefined);
  assert.equal(s.calls, 500);
  assert.equal(s.maxInFlight, 10);
});

test('an unknown backend or a sender error aborts the attempt', async () => {
  assert.match((await weightedDistributionOnce(scheduled(['zz-a-b']), { v1: 1 })) ?? '', /unexpected backend zz/);
  const failing: Sender = { kind: 'sender', send: async () => Promise.reject(new Error('boom')) };
  assert.equal(await weightedDistributionOnce(failing, { v1: 1 }), 'boom');
});

test('batch: exactly 500 names required', async () => {
  const batch = (n: number) => ({ kind: 'batchSender' as const, sendBatch: async () => Array.from({ length: n }, (_, i) => seventyThirty[i % 10]!) });
  assert.equal(await weightedDistributionBatchOnce(batch(500), { v1: 0.7, v2: 0.3 }), undefined);
  assert.match((await weightedDistributionBatchOnce(batch(499), { v1: 0.7, v2: 0.3 })) ?? '', /499 responses/);
});

test('retry key: passes on a later attempt, fails fatally with failMessage after maxAttempts', async () => {
  let attempt = 0;
  // The first attempt sees only v1; later ones the right mix.
  const sender: Sender = { kind: 'sender', send: async () => (attempt++ < 500 ? 'v1-a-b' : seventyThirty[attempt % 10]!) };
  const ctx = fakeCtx();
  const step = { op: 'weight.TestWeightedDistribution', sender, expectedWeights: { v1: 0.7, v2: 0.3 }, retry: { maxAttempts: 3, failMessage: 'nope' } };
  await requestOps[step.op]!(step, ctx);
  assert.equal(ctx.lines.length, 1);
  const never: Sender = { kind: 'sender', send: async () => 'v1-a-b' };
  await assert.rejects(requestOps[step.op]!({ ...step, sender: never }, fakeCtx()), (e: unknown) => {
    assert.ok(e instanceof StepFailure && e.fatal && e.message.startsWith('nope (3 attempts'));
    return true;
  });
});

test('NewFunctionBasedSender runs the body per request', async () => {
  let n = 0;
  const ctx = fakeCtx({ callFunction: async () => `v${(n++ % 10) < 7 ? 1 : 2}-a-b` });
  const sender = await requestOps['weight.NewFunctionBasedSender']!({ op: 'x', sendFunc: [{ op: 'custom' }] }, ctx);
  await requestOps['weight.TestWeightedDistribution']!({ op: 'x', sender, expectedWeights: { v1: 0.7, v2: 0.3 } }, ctx);
  assert.equal(n, 500);
  const batch = await requestOps['weight.NewBatchFunctionBasedSender']!({ op: 'x', sendBatchFunc: [{ op: 'custom' }] }, fakeCtx({ callFunction: async (_b, bind) => Array(bind!.count).fill('v1-a-b') }));
  await requestOps['weight.TestWeightedDistributionBatch']!({ op: 'x', sender: batch, expectedWeights: { v1: 1 } }, fakeCtx());
});
