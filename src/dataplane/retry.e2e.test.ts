import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { IRRetry } from '../ir/types.ts';
import { HttpDataPlane } from './index.ts';
import { REPLAY_LIMIT } from './upstream/forward.ts';
import { backend, freePort, route, send, simpleIR, startEcho, type EchoServer } from './testing.ts';

/** The retry rules of the conformance manifests (tests/httproute-retry*.yaml), by path prefix. */
const RULES: [string, IRRetry][] = [
  ['/retry/code-500-attempts-3', { attempts: 3, codes: [500], backoffMs: 0 }],
  ['/retry/code-all-attempts-2', { attempts: 2, codes: [500, 502, 503, 504], backoffMs: 0 }],
  ['/retry/no-status-code-attempts-3', { attempts: 3, codes: [], backoffMs: 0 }],
  ['/retry/backoff', { attempts: 1, codes: [503], backoffMs: 5 }],
];

/** One case of the conformance tables: query values → the statuses a client may see. */
interface Case {
  readonly path: string;
  readonly responseCode?: number;
  readonly succeedAfter: number;
  readonly expect: readonly number[];
}

const CASES: Case[] = [
  { path: '/retry/code-500-attempts-3', responseCode: 500, succeedAfter: 2, expect: [200] },
  { path: '/retry/code-500-attempts-3', responseCode: 500, succeedAfter: 4, expect: [500] },
  { path: '/retry/code-500-attempts-3', responseCode: 503, succeedAfter: 2, expect: [503] },
  ...[500, 502, 503, 504].flatMap((code): Case[] => [
    { path: '/retry/code-all-attempts-2', responseCode: code, succeedAfter: 1, expect: [200] },
    { path: '/retry/code-all-attempts-2', responseCode: code, succeedAfter: 3, expect: [code] },
  ]),
  { path: '/retry/no-status-code-attempts-3', succeedAfter: 2, expect: [200] },
  { path: '/retry/no-status-code-attempts-3', succeedAfter: 4, expect: [500, 503] },
  { path: '/retry/backoff', responseCode: 503, succeedAfter: 1, expect: [200] },
];

/** The query exactly as the conformance helper encodes it (keys sorted). */
function target(c: Case, uuid: string): string {
  const q = new URLSearchParams();
  if (c.responseCode !== undefined) q.set('responseCode', String(c.responseCode));
  q.set('succeedAfter', String(c.succeedAfter));
  q.set('uuid', uuid);
  return `${c.path}?${q.toString()}`;
}

describe('retries end to end (conformance retry simulator)', () => {
  let up: EchoServer;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    up = await startEcho('infra-backend-v3');
    port = await freePort();
    dp = new HttpDataPlane();
    await dp.apply(simpleIR(1, port, [
      ...RULES.map(([p, retry]) => route(p, [backend('v3', [up.port])], { match: { path: { type: 'PathPrefix', value: p } }, retry })),
      route('no-retry', [backend('v3', [up.port])], { match: { path: { type: 'PathPrefix', value: '/retry/none' } } }),
    ]));
  });
  after(async () => {
    await dp.close();
    await up.close();
  });

  for (const c of CASES) {
    const name = `${c.path} responseCode=${c.responseCode ?? 'reset'} succeedAfter=${c.succeedAfter} → ${c.expect.join('|')}`;
    it(name, async () => {
      // Three consecutive fresh-uuid probes, as assertConsistentRetryBehaviour does; keep-alive like a Go client.
      const agent = new Agent({ keepAlive: true });
      for (let probe = 0; probe < 3; probe++) {
        const path = target(c, randomUUID());
        const before = up.requests;
        const r = await send(port, path, { agent });
        assert.ok(c.expect.includes(r.status), `probe ${probe}: got ${r.status}`);
        if (r.status === 200) {
          assert.equal(r.echo?.path, path, 'the retried request is the original one');
          assert.equal(r.echo?.name, 'infra-backend-v3');
        }
        const retry = RULES.find(([p]) => c.path === p)![1];
        const tried = up.requests - before;
        const wanted = r.status === 200 ? c.succeedAfter + 1 : retry.codes.length === 0 || retry.codes.includes(c.responseCode!) ? retry.attempts + 1 : 1;
        assert.equal(tried, wanted, 'attempts the backend saw');
      }
      agent.destroy();
    });
  }

  it('does not retry without a retry policy', async () => {
    const before = up.requests;
    const r = await send(port, target({ path: '/retry/none', responseCode: 500, succeedAfter: 1, expect: [] }, randomUUID()));
    assert.equal(r.status, 500);
    assert.equal(up.requests - before, 1);
  });

  it('retries small bodies, sending the whole body every time', async () => {
    for (const responseCode of [500, undefined]) {
      const before = up.requests;
      const path = target({ path: '/retry/code-500-attempts-3', responseCode, succeedAfter: 2, expect: [] }, randomUUID());
      const body = Buffer.alloc(REPLAY_LIMIT, 5);
      const r = await send(port, responseCode === undefined ? path.replace('code-500', 'no-status-code') : path, { method: 'POST', body });
      assert.equal(r.status, 200);
      assert.equal(r.echo?.bodyBytes, body.length);
      assert.equal(up.requests - before, 3);
    }
  });

  it('does not retry bodies too large to keep', async () => {
    const before = up.requests;
    const path = target({ path: '/retry/code-500-attempts-3', responseCode: 500, succeedAfter: 1, expect: [] }, randomUUID());
    const r = await send(port, path, { method: 'POST', body: Buffer.alloc(REPLAY_LIMIT + 1) });
    assert.equal(r.status, 500);
    assert.equal(up.requests - before, 1);
  });
});
