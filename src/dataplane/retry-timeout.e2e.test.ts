/**
 * Retries meeting timeouts (HTTPRouteRetryBackendTimeout) and connection errors (HTTPRouteRetryConnectionError),
 * against a retry simulator that, like the conformance echo server, can hold each failing attempt
 * (`delayRetry`) before failing it: an attempt that outlives timeouts.backendRequest is cancelled and retried
 * whatever the retry codes are; timeouts.request bounds all attempts together; a failure after the response
 * head was relayed is never retried.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { IRRetry, IRTimeouts } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { backend, freePort, route, send, simpleIR } from './testing.ts';

/** The simulator: per uuid, the first `succeedAfter` attempts wait `delayRetry` ms, then answer `responseCode` or reset. */
interface Simulator {
  readonly port: number;
  readonly server: Server;
  /** Attempts seen per uuid. */
  readonly attempts: Map<string, number>;
}

async function startSimulator(): Promise<Simulator> {
  const attempts = new Map<string, number>();
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const uuid = q.get('uuid') ?? '';
    const n = (attempts.get(uuid) ?? 0) + 1;
    attempts.set(uuid, n);
    if (q.has('headThenReset')) {
      res.writeHead(200, { 'content-length': '10' });
      res.write('half');
      setImmediate(() => res.socket?.resetAndDestroy());
      return;
    }
    if (n > Number(q.get('succeedAfter'))) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`ok after ${n}`);
      return;
    }
    const fail = () => {
      const code = q.get('responseCode');
      if (code === null) res.socket?.resetAndDestroy();
      else res.writeHead(Number(code)).end();
    };
    const delay = Number(q.get('delayRetry') ?? 0);
    if (delay === 0) return fail();
    const timer = setTimeout(fail, delay);
    res.on('close', () => clearTimeout(timer)); // the gateway gave up on this attempt
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, attempts };
}

/** Rules by path prefix: retry and timeouts. A held attempt (1 s) always outlives the 100 ms backendRequest timeout. */
const RULES: [string, IRRetry, IRTimeouts][] = [
  ['/timeout-attempts-2', { attempts: 2, codes: [], backoffMs: 0 }, { backendRequestMs: 100 }],
  ['/timeout-codes-500', { attempts: 1, codes: [500], backoffMs: 0 }, { backendRequestMs: 100 }],
  ['/timeout-bounded', { attempts: 5, codes: [], backoffMs: 0 }, { requestMs: 250, backendRequestMs: 100 }],
  ['/reset-attempts-3', { attempts: 3, codes: [], backoffMs: 0 }, {}],
  ['/code-then-timeout', { attempts: 2, codes: [503], backoffMs: 0 }, { backendRequestMs: 100 }],
];

describe('retries with backendRequest timeouts and connection errors', () => {
  let sim: Simulator;
  let dp: HttpDataPlane;
  let port: number;
  let dead: number;

  before(async () => {
    sim = await startSimulator();
    port = await freePort();
    dead = await freePort();
    dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, [
      ...RULES.map(([p, retry, timeouts]) => route(p, [backend('sim', [sim.port])], { match: { path: { type: 'PathPrefix', value: p } }, retry, timeouts })),
      route('dead-first', [backend('mixed', [dead, sim.port])], { match: { path: { type: 'PathPrefix', value: '/refused' } }, retry: { attempts: 1, codes: [], backoffMs: 0 } }),
      route('all-dead', [backend('dead', [dead])], { match: { path: { type: 'PathPrefix', value: '/all-dead' } }, retry: { attempts: 2, codes: [], backoffMs: 0 } }),
    ]));
  });
  after(async () => {
    await dp.close();
    sim.server.closeAllConnections();
    await new Promise<void>((r) => sim.server.close(() => r()));
  });

  /** One request with a fresh uuid; returns the status and how many attempts the backend saw. */
  async function probe(path: string, query: Record<string, string>): Promise<{ status: number; attempts: number; body: string }> {
    const uuid = randomUUID();
    const r = await send(port, `${path}?${new URLSearchParams({ ...query, uuid })}`);
    return { status: r.status, attempts: sim.attempts.get(uuid) ?? 0, body: r.body };
  }

  it('retries an attempt that hits the backendRequest timeout, and succeeds within the budget', async () => {
    const one = await probe('/timeout-attempts-2', { delayRetry: '1000', succeedAfter: '1' });
    assert.deepEqual([one.status, one.attempts, one.body], [200, 2, 'ok after 2']);
    const two = await probe('/timeout-attempts-2', { delayRetry: '1000', succeedAfter: '2' });
    assert.deepEqual([two.status, two.attempts], [200, 3]);
  });

  it('answers 504 once every attempt timed out', async () => {
    const r = await probe('/timeout-attempts-2', { delayRetry: '1000', succeedAfter: '3' });
    assert.deepEqual([r.status, r.attempts], [504, 3]);
  });

  it('retries timeouts even when the retry codes do not include 504', async () => {
    const r = await probe('/timeout-codes-500', { delayRetry: '1000', responseCode: '500', succeedAfter: '1' });
    assert.deepEqual([r.status, r.attempts], [200, 2]);
  });

  it('a fast retryable status and a slow attempt share one budget', async () => {
    // Attempt 1 answers 503 at once (retried by code); attempt 2 would answer 503 only after 1 s, so it times out.
    const fast = await probe('/code-then-timeout', { responseCode: '503', succeedAfter: '2' });
    assert.deepEqual([fast.status, fast.attempts], [200, 3]);
    const slow = await probe('/code-then-timeout', { delayRetry: '1000', responseCode: '503', succeedAfter: '3' });
    assert.deepEqual([slow.status, slow.attempts], [504, 3]);
  });

  it('the request timeout bounds all attempts together', async () => {
    const r = await probe('/timeout-bounded', { delayRetry: '1000', succeedAfter: '10' });
    assert.equal(r.status, 504);
    // 250 ms of request time holds at most three 100 ms attempts, well short of the 6 the retry budget allows.
    assert.ok(r.attempts >= 1 && r.attempts <= 3, `attempts: ${r.attempts}`);
  });

  it('retries connection resets up to the budget, then answers 503', async () => {
    const ok = await probe('/reset-attempts-3', { succeedAfter: '3' });
    assert.deepEqual([ok.status, ok.attempts], [200, 4]);
    const spent = await probe('/reset-attempts-3', { succeedAfter: '4' });
    assert.deepEqual([spent.status, spent.attempts], [503, 4]);
  });

  it('retries a refused connection on the next endpoint; a dead backend ends in 503', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await probe('/refused', { succeedAfter: '0' })).status, 200);
    assert.equal((await probe('/all-dead', { succeedAfter: '0' })).status, 503);
  });

  it('never retries once the response head was relayed', async () => {
    const uuid = randomUUID();
    await assert.rejects(send(port, `/reset-attempts-3?headThenReset=1&uuid=${uuid}`), 'the client sees the truncated answer fail');
    assert.equal(sim.attempts.get(uuid), 1);
  });
});
