/** The IPC messages: every malformed message is an error value, well-formed ones come through intact. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFromWorker, parseToWorker } from './protocol.ts';

test('well-formed messages parse to themselves', () => {
  const toWorker = [
    { t: 'apply', seq: 1, version: 7, ir: '{"version":7,"sockets":[]}' },
    { t: 'status', seq: 2 },
    { t: 'stop' },
  ];
  for (const m of toWorker) assert.deepEqual(parseToWorker(m), { ok: true, msg: m });
  const fromWorker = [
    { t: 'ready' },
    { t: 'applied', seq: 1, version: 7, bindErrors: [['127.0.0.1:80', 'EACCES: permission denied']] },
    { t: 'failed', seq: 1, error: 'duplicate socket key' },
    { t: 'status', seq: 3, version: 7 },
    { t: 'log', level: 'warn', msg: 'x', fields: { a: 1 } },
  ];
  for (const m of fromWorker) assert.deepEqual(parseFromWorker(m), { ok: true, msg: m });
});

test('malformed messages are rejected with a reason', () => {
  const bad: unknown[] = [null, 'apply', [], { t: 'apply', seq: -1, version: 1, ir: '{}' }, { t: 'apply', seq: 1, version: 1, ir: {} }, { t: 'status' }, { t: 'nope' }];
  for (const m of bad) {
    const r = parseToWorker(m);
    assert.equal(r.ok, false, JSON.stringify(m));
    if (!r.ok) assert.ok(r.error.length > 0);
  }
  const badFrom: unknown[] = [
    undefined,
    { t: 'applied', seq: 1, version: 1, bindErrors: [['k']] },
    { t: 'applied', seq: 1, version: 1.5, bindErrors: [] },
    { t: 'failed', seq: 1 },
    { t: 'log', level: 'loud', msg: 'x' },
    { t: 'status', seq: 1 },
  ];
  for (const m of badFrom) assert.equal(parseFromWorker(m).ok, false, JSON.stringify(m));
});
