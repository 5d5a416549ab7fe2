/**
 * RemoteDataPlane end to end: real worker processes on loopback, upstreams that identify which worker
 * process connected to them (through /proc, see testing.ts), restarts after SIGKILL, bind errors, and
 * graceful stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createServer, type Server } from 'node:net';
import type { IR } from '../../ir/types.ts';
import { backend, freePort, route, simpleIR, socket } from '../../dataplane/testing.ts';
import { WorkerEvent } from './protocol.ts';
import { RemoteDataPlane, type WorkerIncident } from './remote.ts';
import { reusePortSupported } from './reuseport.ts';
import { procNetAvailable, startPidUpstream, type PidUpstream } from './testing.ts';

const skip = !reusePortSupported() || !procNetAvailable() ? 'needs Linux (SO_REUSEPORT balancing and /proc)' : false;

/** GET on a fresh connection (so the kernel picks a worker for each request). */
function fresh(port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function irTo(version: number, port: number, up: PidUpstream): IR {
  return simpleIR(version, port, [route(`HTTPRoute/t/${up.name}`, [backend(up.name, [up.port])])]);
}

/** Sends `n` requests on fresh connections; returns the bodies and the worker pids the upstream saw. */
async function burst(port: number, n: number, ups: PidUpstream[]): Promise<{ bodies: Set<string>; pids: Set<number | undefined> }> {
  const before = ups.map((u) => u.seen.length);
  const bodies = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await fresh(port);
    bodies.add(`${r.status} ${r.body}`);
  }
  return { bodies, pids: new Set(ups.flatMap((u, i) => u.seen.slice(before[i]))) };
}

async function startDp(onEvent?: (ev: WorkerIncident) => void, logs: string[] = []): Promise<RemoteDataPlane> {
  return RemoteDataPlane.start({ workers: 2, restartBackoffMs: 20, applyTimeoutMs: 10_000, logLevel: 'warn', onEvent, log: (_l, msg) => void logs.push(msg) });
}

test('two workers share the listener, and a new IR version serves in every worker once apply resolves', { skip }, async () => {
  const [a, b] = [await startPidUpstream('a'), await startPidUpstream('b')];
  const dp = await startDp();
  try {
    const pids = dp.pids();
    assert.equal(new Set(pids).size, 2, 'two distinct worker processes');
    a.candidates = b.candidates = pids;
    const port = await freePort();
    assert.deepEqual((await dp.apply(irTo(1, port, a))).bindErrors, new Map());
    const first = await burst(port, 40, [a, b]);
    assert.deepEqual(first.bodies, new Set(['200 a']));
    assert.deepEqual(first.pids, new Set(pids), 'both workers served requests');

    const r = await dp.apply(irTo(2, port, b));
    assert.equal(r.version, 2);
    // No waiting: the moment apply resolved, every worker serves version 2.
    const second = await burst(port, 40, [a, b]);
    assert.deepEqual(second.bodies, new Set(['200 b']));
    assert.deepEqual(second.pids, new Set(pids));
    assert.deepEqual((await dp.versions()).map((v) => v.version), [2, 2]);
  } finally {
    await dp.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('a killed worker is restarted with the current IR, and apply does not wait for it', { skip }, async () => {
  const [a, b] = [await startPidUpstream('a'), await startPidUpstream('b')];
  const events: WorkerIncident[] = [];
  let restarted: (ev: WorkerIncident) => void = () => undefined;
  let exited: () => void = () => undefined;
  const restart = new Promise<WorkerIncident>((r) => (restarted = r));
  const exit = new Promise<void>((r) => (exited = r));
  const dp = await startDp((ev) => {
    events.push(ev);
    if (ev.reason === WorkerEvent.Restarted) restarted(ev);
    if (ev.reason === WorkerEvent.Exited) exited();
  });
  try {
    const port = await freePort();
    await dp.apply(irTo(1, port, a));
    const [victim, survivor] = dp.pids();
    process.kill(victim, 'SIGKILL');
    await exit;
    const r = await dp.apply(irTo(2, port, b)); // while the worker restarts: must not wait for it
    assert.equal(r.version, 2);
    const ev = await restart;
    const pids = dp.pids();
    assert.ok(pids.includes(survivor) && !pids.includes(victim) && pids.length === 2, `new worker set ${pids}`);
    assert.ok(events.some((e) => e.reason === WorkerEvent.Exited && e.pid === victim), 'the exit was reported');
    assert.equal(ev.pid, pids.find((p) => p !== survivor));
    assert.deepEqual((await dp.versions()).map((v) => v.version), [2, 2], 'the new worker serves the current version');
    a.candidates = b.candidates = pids;
    const after = await burst(port, 40, [a, b]);
    assert.deepEqual(after.bodies, new Set(['200 b']));
    assert.deepEqual(after.pids, new Set(pids), 'the restarted worker takes traffic');
  } finally {
    await dp.close();
    await Promise.all([a.close(), b.close()]);
  }
});

test('a bind error is reported once, not once per worker; the other sockets serve', { skip }, async () => {
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: 0 }, () => r())); // no SO_REUSEPORT
  const taken = (holder.address() as { port: number }).port;
  const up = await startPidUpstream('a');
  const logs: string[] = [];
  const dp = await startDp(undefined, logs);
  try {
    const port = await freePort();
    const ok = irTo(1, port, up);
    const ir: IR = { version: 1, sockets: [...ok.sockets, socket(taken, [...ok.sockets[0].httpListeners[0].virtualHosts])] };
    const r = await dp.apply(ir);
    assert.deepEqual([...r.bindErrors.keys()], [`127.0.0.1:${taken}`]);
    assert.match(r.bindErrors.get(`127.0.0.1:${taken}`)!, /^EADDRINUSE/);
    assert.deepEqual(logs.filter((l) => l.includes('bind')), [], 'workers do not log the bind error N times; the control loop reports it');
    assert.equal((await fresh(port)).body, 'a');
  } finally {
    await dp.close();
    await up.close();
    await new Promise<void>((r) => holder.close(() => r()));
  }
});

test('an IR every worker rejects rejects apply, and the previous version keeps serving', { skip }, async () => {
  const up = await startPidUpstream('a');
  const events: WorkerIncident[] = [];
  const dp = await startDp((ev) => events.push(ev));
  try {
    const port = await freePort();
    const v1 = irTo(1, port, up);
    await dp.apply(v1);
    const dup: IR = { version: 2, sockets: [v1.sockets[0], v1.sockets[0]] };
    await assert.rejects(dp.apply(dup), /duplicate socket key/);
    assert.deepEqual((await dp.versions()).map((v) => v.version), [1, 1]);
    assert.deepEqual(events, [], 'a deterministic rejection is not a worker failure');
    assert.equal((await fresh(port)).body, 'a');
  } finally {
    await dp.close();
    await up.close();
  }
});

test('close() lets in-flight requests finish, then the workers exit', { skip }, async () => {
  let arrived: () => void = () => undefined;
  const reached = new Promise<void>((r) => (arrived = r));
  const slow = createServer((s) => {
    s.on('error', () => undefined);
    s.once('data', () => {
      arrived();
      setTimeout(() => s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nslow'), 300);
    });
  });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const dp = await startDp();
  const pids = dp.pids();
  try {
    const port = await freePort();
    await dp.apply(simpleIR(1, port, [route('r', [backend('slow', [(slow.address() as { port: number }).port])])]));
    const inflight = fresh(port);
    await reached;
    await dp.close();
    assert.deepEqual(await inflight, { status: 200, body: 'slow' });
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} exited`);
  } finally {
    await dp.close();
    await new Promise<void>((r) => slow.close(() => r()));
  }
});
