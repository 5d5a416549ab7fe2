import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepFailure, type OpHandler, type Step } from '../types.ts';
import { runTest, type RunnerEnv } from './run.ts';
import { FakeAdmin, testCase, testTimeouts } from './testing.ts';
import { noWorkloads } from './setup.ts';
import { harnessOps } from '../ops/index.ts';

function env(ops: Record<string, OpHandler>, extra: Partial<RunnerEnv> = {}): RunnerEnv {
  return {
    admin: new FakeAdmin(),
    workloads: noWorkloads,
    environment: {},
    timeouts: testTimeouts(),
    requiredConsecutiveSuccesses: 3,
    supportedFeatures: new Set(['Gateway', 'HTTPRoute']),
    controllerName: 'ctl',
    gatewayClassName: 'gc',
    corpusDir: '/nonexistent',
    applierConfig: { gatewayClassName: 'gc', controllerName: 'ctl', usableAddresses: [], unusableAddresses: [] },
    ops,
    harnessOps,
    customHandlers: {},
    cleanup: true,
    signal: new AbortController().signal,
    ...extra,
  };
}

function recorder() {
  const seen: unknown[] = [];
  const ops: Record<string, OpHandler> = {
    't.value': async (s) => s.value,
    't.seen': async (s) => {
      seen.push(s.v);
    },
    't.fail': async (s) => {
      throw new StepFailure(String(s.msg), s.fatal !== false);
    },
    't.call': async (s, ctx) => ctx.callFunction(s.fn, { count: 2 }),
  };
  return { seen, ops };
}

test('saveAs (string and list with nulls) feeds later steps; the test passes', async () => {
  const { seen, ops } = recorder();
  const t = testCase('T', [
    { op: 't.value', value: 'a:1', saveAs: 'addr' },
    { op: 't.value', value: ['crt', 'key'], saveAs: [null, 'key'] },
    { op: 't.seen', v: '$addr/$key' },
  ]);
  const out = await runTest(t, env(ops));
  assert.equal(out.result, 'passed');
  assert.deepEqual(seen, ['a:1/key']);
});

test('a fatal failure in a subtest ends it; the parent continues and fails, with the step path', async () => {
  const { seen, ops } = recorder();
  const t = testCase('T', [
    { op: 'subtest', name: 'first', parallel: false, steps: [{ op: 't.fail', msg: 'boom' }, { op: 't.seen', v: 'not reached' }] },
    { op: 't.seen', v: 'after' },
  ]);
  const out = await runTest(t, env(ops));
  assert.equal(out.result, 'failed');
  assert.deepEqual(seen, ['after']);
  assert.equal(out.reason, 'subtest "first" > step 1 t.fail: boom');
});

test('a non-fatal failure lets the steps continue; a top-level fatal one stops the test', async () => {
  const { seen, ops } = recorder();
  const t = testCase('T', [
    { op: 't.fail', msg: 'soft', fatal: false },
    { op: 't.seen', v: 1 },
    { op: 't.fail', msg: 'hard' },
    { op: 't.seen', v: 2 },
  ]);
  const out = await runTest(t, env(ops));
  assert.deepEqual(seen, [1]);
  assert.equal(out.failures.length, 2);
  assert.equal(out.failures[1], 'step 3 t.fail: hard');
});

test('unknown ops and unhandled custom steps fail the test, never skip it', async () => {
  const a = await runTest(testCase('T', [{ op: 'nope.Op' }]), env({}));
  assert.equal(a.result, 'failed');
  assert.match(a.reason, /harness: unknown op nope\.Op/);
  const b = await runTest(testCase('Other', [{ op: 'custom', description: 'x', data: { something: 1 } }]), env({}));
  assert.match(b.reason, /harness: no handler for custom step in Other/);
});

test('custom steps: generic shapes and per-test handlers', async () => {
  const { seen, ops } = recorder();
  const t = testCase('Mine', [
    { op: 't.value', value: { 'ca.crt': 'PEM' }, saveAs: 'cm' },
    { op: 't.value', value: ['h1'], saveAs: 'hosts' },
    { op: 'custom', description: '', data: { value: '$hosts', expectedLength: 1 } },
    { op: 'custom', description: '', data: { from: '$hosts', index: 0 }, saveAs: 'host' },
    { op: 'custom', description: '', data: { from: '$cm', key: 'ca.crt' }, saveAs: 'ca' },
    { op: 'custom', description: '', data: { mustBeNonEmpty: ['$ca', '$host'] } },
    { op: 'custom', description: '', data: { special: true }, saveAs: 'z' },
    { op: 't.seen', v: '$host $ca $z' },
    { op: 'custom', description: '', data: { mustBeNonEmpty: [''] } },
  ]);
  const out = await runTest(t, env(ops, { customHandlers: { Mine: async () => 'handled' } }));
  assert.deepEqual(seen, ['h1 PEM handled']);
  assert.equal(out.failures.length, 1);
  assert.match(out.reason, /step 9 custom: value 1 of mustBeNonEmpty is empty/);
});

test('ifFeature picks a branch; names saved in a subtest stay local', async () => {
  const { seen, ops } = recorder();
  const t = testCase('T', [
    { op: 'ifFeature', feature: 'HTTPRoute', steps: [{ op: 't.seen', v: 'yes' }], else: [{ op: 't.seen', v: 'no' }] },
    { op: 'ifFeature', feature: 'Mesh', steps: [{ op: 't.seen', v: 'mesh' }], else: [] },
    { op: 'subtest', name: 's', parallel: true, steps: [{ op: 't.value', value: 1, saveAs: 'local' }] },
    { op: 't.seen', v: '$local' },
  ]);
  const out = await runTest(t, env(ops));
  assert.deepEqual(seen, ['yes']);
  assert.match(out.reason, /step 4 t\.seen: harness: unresolved reference \$local/);
});

test('function bodies run with bindings and return the step marked returns', async () => {
  const { seen, ops } = recorder();
  const t = testCase('T', [
    { op: 't.call', fn: [{ op: 't.value', value: '$count', returns: 'n' }, { op: 't.value', value: 'ignored' }], saveAs: 'r' },
    { op: 't.seen', v: '$r' },
  ]);
  await runTest(t, env(ops));
  assert.deepEqual(seen, [2]);
});

test('deferred calls run when the subtest ends, also after a fatal failure', async () => {
  const { seen, ops } = recorder();
  const calls: string[] = [];
  const t = testCase('T', [
    { op: 't.value', value: async () => void calls.push('waited'), saveAs: 'wait' },
    { op: 'subtest', name: 's', parallel: false, steps: [{ op: 'custom', description: '', data: { call: '$wait', deferred: true } }, { op: 't.fail', msg: 'x' }] },
    { op: 't.seen', v: calls },
  ]);
  await runTest(t, env(ops));
  assert.deepEqual(seen, [['waited']]);
});

test('k8s.create objects are cleaned up; k8s.expect asserts and saves values', async () => {
  const admin = new FakeAdmin();
  const steps: Step[] = [
    { op: 'k8s.create', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'ns' }, data: { 'ca.crt': 'X' } } },
    { op: 'k8s.expect', apiVersion: 'v1', kind: 'ConfigMap', ref: 'ns/cm', jsonPath: "data['ca.crt']", saveAs: 'ca' },
    { op: 'k8s.patch', apiVersion: 'v1', kind: 'ConfigMap', ref: 'ns/cm', mergePatch: { data: { 'ca.crt': '$ca-2' } } },
    { op: 'k8s.expect', apiVersion: 'v1', kind: 'ConfigMap', ref: 'ns/cm', jsonPath: "data['ca.crt']", value: 'X-2' },
    { op: 'k8s.expect', apiVersion: 'v1', kind: 'ConfigMap', ref: 'ns/cm', jsonPath: 'metadata.generation', notEqual: 1 },
  ];
  const out = await runTest(testCase('T', steps), env({}, { admin }));
  assert.equal(out.failures.length, 1, out.failures.join('\n'));
  assert.match(out.reason, /step 5 k8s\.expect: ConfigMap ns\/cm: metadata\.generation is still 1/);
  assert.equal(admin.objects.size, 0, 'created object deleted after the test');
});
