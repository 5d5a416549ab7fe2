/**
 * `gatehouse run --workers 2` as startGatehouse runs it: YAML in, traffic served by both worker processes,
 * a port that cannot be bound reported once in the log and in the listener's status, and stop() ending the
 * workers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse } from '../../cli/run.ts';
import { freePort } from '../../dataplane/testing.ts';
import { RemoteDataPlane } from './remote.ts';
import { reusePortSupported } from './reuseport.ts';
import { procNetAvailable, startPidUpstream } from './testing.ts';

const skip = !reusePortSupported() || !procNetAvailable() ? 'needs Linux (SO_REUSEPORT balancing and /proc)' : false;

function config(port: number, taken: number, upstream: number): string {
  return `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gh}
spec: {controllerName: gatehouse.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: gh
  addresses: [{type: IPAddress, value: 127.0.0.1}]
  listeners:
  - {name: http, protocol: HTTP, port: ${port}}
  - {name: blocked, protocol: HTTP, port: ${taken}}
---
apiVersion: v1
kind: Service
metadata: {name: up, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: up-1, namespace: default, labels: {kubernetes.io/service-name: up}}
addressType: IPv4
ports: [{name: http, port: ${upstream}}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: default}
spec:
  parentRefs: [{name: gw, sectionName: http}]
  rules: [{backendRefs: [{name: up, port: 80}]}]
`;
}

function fresh(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', reject);
    req.end();
  });
}

test('startGatehouse with 2 workers: both serve, a bind error is logged once and reaches the status', { skip }, async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: 0 }, () => r()));
  const taken = (holder.address() as AddressInfo).port;
  const up = await startPidUpstream('up');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-workers-'));
  const port = await freePort();
  writeFileSync(join(dir, 'gw.yaml'), config(port, taken, up.port));
  const lines: string[] = [];
  const gh = await startGatehouse(
    { files: [dir], admin: '127.0.0.1:0', controllerName: 'gatehouse.dev/gateway-controller', logLevel: 'info', allowRemoteAdmin: false, workers: 2 },
    (_level, msg) => void lines.push(msg),
  );
  try {
    await gh.controller.idle();
    const started = lines.find((l) => l.startsWith('data plane running in 2 worker processes'));
    assert.ok(started, `startup line in ${JSON.stringify(lines)}`);
    const pids = (/\(pids ([\d, ]+)\)/.exec(started)?.[1] ?? '').split(', ').map(Number);
    assert.equal(pids.length, 2);
    up.candidates = pids;
    for (let i = 0; i < 40; i++) assert.equal(await fresh(port), '200 up');
    assert.deepEqual(new Set(up.seen), new Set(pids), 'both workers served');

    assert.equal(lines.filter((l) => l.includes(`cannot listen on 127.0.0.1:${taken}`)).length, 1, lines.join('\n'));
    const gw = gh.store.get('gateway.networking.k8s.io', 'Gateway', 'default', 'gw') as { status?: { listeners?: Array<{ name: string; conditions: Array<{ type: string; status: string; message: string }> }> } };
    const blocked = gw.status?.listeners?.find((l) => l.name === 'blocked');
    const programmed = blocked?.conditions.find((c) => c.type === 'Programmed');
    assert.equal(programmed?.status, 'False');
    assert.match(programmed?.message ?? '', /EADDRINUSE/);
  } finally {
    await gh.stop();
    await up.close();
    await new Promise<void>((r) => holder.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RemoteDataPlane.start refuses a worker count below 1', async () => {
  await assert.rejects(RemoteDataPlane.start({ workers: 0 }), /workers must be a whole number ≥ 1/);
});
