/**
 * Workers that misbehave (fake worker programs, testing-fake-worker.ts): one that never answers an apply
 * must not wedge the control loop, and one that cannot start makes start() fail without leaving processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { WorkerEvent } from './protocol.ts';
import { RemoteDataPlane, type WorkerIncident } from './remote.ts';

const FAKE = fileURLToPath(new URL('./testing-fake-worker.ts', import.meta.url));

test('a worker that never answers is killed and restarted; apply resolves', async () => {
  process.env.FAKE_WORKER = 'wedged';
  const events: WorkerIncident[] = [];
  let timeouts = 0;
  let second: () => void = () => undefined;
  const secondTimeout = new Promise<void>((r) => (second = r));
  const dp = await RemoteDataPlane.start({
    workers: 1, entry: FAKE, applyTimeoutMs: 150, restartBackoffMs: 10,
    onEvent: (ev) => {
      events.push(ev);
      if (ev.reason === WorkerEvent.ApplyTimedOut && ++timeouts === 2) second();
    },
  });
  try {
    const [pid] = dp.pids();
    const r = await dp.apply({ version: 1, sockets: [] });
    assert.equal(r.version, 1, 'apply resolved without the wedged worker');
    // The replacement is sent the current IR to catch up; being wedged too, it times out the same way.
    await secondTimeout;
    const reasons = events.map((e) => [e.reason, e.pid === pid ? 'first' : 'second']);
    assert.deepEqual(reasons.slice(0, 3), [[WorkerEvent.ApplyTimedOut, 'first'], [WorkerEvent.Exited, 'first'], [WorkerEvent.ApplyTimedOut, 'second']]);
    assert.deepEqual(dp.pids(), [], 'a worker that has not caught up is not counted as serving');
  } finally {
    await dp.close();
    delete process.env.FAKE_WORKER;
  }
});

test('start() fails when a worker cannot start, and stops the others', async () => {
  process.env.FAKE_WORKER = 'dies';
  try {
    await assert.rejects(RemoteDataPlane.start({ workers: 2, entry: FAKE, restartBackoffMs: 10_000 }), /could not start 2 data-plane worker processes/);
  } finally {
    delete process.env.FAKE_WORKER;
  }
});
