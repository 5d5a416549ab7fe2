import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { K8sObject } from '../../api/object.ts';
import { startMeshEcho, type MeshEcho } from '../echo/mesh-echo.ts';
import { FakeAdmin } from '../runner/testing.ts';
import { StepFailure } from '../types.ts';
import { FakeWorkloads, fakeCtx } from './testkit.ts';
import { requestOps } from './index.ts';
import { resolveMeshHost, runMeshClient } from './mesh-client.ts';
import { compareMeshResponse, parseMeshResponse, parseMeshResponses } from './mesh-parse.ts';
import { clientArgs } from './mesh-ops.ts';

const NS = 'gateway-conformance-mesh';
const SERVER_IP = '127.0.0.1';
/** The client pod's own address: distinct from the server's, so the echoed IP proves the bind. */
const CLIENT_IP = '127.0.0.2';
let v2: MeshEcho;

before(async () => {
  v2 = await startMeshEcho({ ip: SERVER_IP, args: ['--port=0', '--grpc=0'], hostname: 'echo-v2-abc12-xyz34', log: () => {} });
});
after(async () => v2.close());

const service = (name: string, clusterIP?: string): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ port: 80 }] } });
const lookupOf = (svcs: K8sObject[]) => async (ns: string, name: string) => svcs.find((s) => s.metadata.namespace === ns && s.metadata.name === name);
const clientOpts = (svcs: K8sObject[]) => ({ podIp: CLIENT_IP, podNamespace: NS, lookupService: lookupOf(svcs), timeoutMs: 2000 });

/** A context with a client pod (echo-v1) and Services in the admin API. */
function meshCtx(svcs: K8sObject[]) {
  const admin = new FakeAdmin();
  admin.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'echo-v1-aaaaa-bbbbb', namespace: NS, labels: { app: 'echo', version: 'v1' } }, status: { podIP: CLIENT_IP } });
  for (const s of svcs) admin.put(s);
  const workloads = new FakeWorkloads();
  workloads.podList.push({ name: 'echo-v1-aaaaa-bbbbb', namespace: NS, ip: CLIENT_IP, labels: { app: 'echo', version: 'v1' }, deployment: 'echo-v1' });
  return fakeCtx({ admin, workloads });
}

test('the client resolves a Service name to its clusterIP and sends from the pod address', async () => {
  for (const host of ['echo-v2', `echo-v2.${NS}`, `echo-v2.${NS}.svc.cluster.local`]) {
    const r = await runMeshClient(['client', `http://${host}:${v2.ports.http}/p?q=1`, '--method=PUT', '-H', 'X-Foo:bar'], clientOpts([service('echo-v2', SERVER_IP)]));
    assert.equal(r.exitCode, 0, r.stderr);
    const p = parseMeshResponse(r.stdout);
    assert.equal(p.StatusCode, '200');
    assert.equal(p.Hostname, 'echo-v2-abc12-xyz34');
    assert.equal(p.IP, CLIENT_IP);
    assert.equal(p.Method, 'PUT');
    assert.equal(p.URL, '/p?q=1');
    assert.equal(p.Host, `${host}:${v2.ports.http}`);
    assert.deepEqual(p.RequestHeaders.get('x-foo'), ['bar']);
    assert.equal(p.ResponseHeaders.get('content-type')?.[0], 'text/plain');
  }
});

test('a Service without clusterIP is a precise failure, not a harness error', async () => {
  const r = await runMeshClient(['client', 'http://echo'], clientOpts([service('echo')]));
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /Service gateway-conformance-mesh\/echo has no clusterIP: the implementation serves no mesh address for it/);
  const missing = await resolveMeshHost('nope', NS, lookupOf([]));
  assert.ok(!missing.ok && /Service gateway-conformance-mesh\/nope does not exist/.test(missing.reason));
  const external = await resolveMeshHost('echo', NS, lookupOf([service('echo', '10.96.0.1')]));
  assert.ok(!external.ok && /loopback/.test(external.reason));
  assert.deepEqual(await resolveMeshHost(`[::1]`, NS, lookupOf([])), { ok: true, ip: '::1' });
});

test('gRPC requests and --count batches', async () => {
  const svcs = [service('echo', SERVER_IP)];
  const r = await runMeshClient(['client', `grpc://echo:${v2.ports.grpc}`, '-H', 'x-md:v', '--count=5'], clientOpts(svcs));
  assert.equal(r.exitCode, 0, r.stderr);
  const all = parseMeshResponses(r.stdout);
  assert.equal(all.length, 5);
  for (const p of all) {
    assert.equal(p.StatusCode, '200');
    assert.equal(p.Hostname, 'echo-v2-abc12-xyz34');
    assert.equal(p.Proto, 'GRPC');
    assert.deepEqual(p.RequestHeaders.get('x-md'), ['v']);
  }
});

test('parsing: first occurrence wins, request headers accumulate, response headers are replaced', () => {
  const p = parseMeshResponse('[0] StatusCode=302\n[0] ResponseHeader=Location:/a\n[0] ResponseHeader=location:/b\n[0 body] StatusCode=200\n[0 body] RequestHeader=X-A:1\n[0 body] RequestHeader=x-a:2\n[0 body] Hostname=echo-v1-x-y\n');
  assert.equal(p.StatusCode, '302');
  assert.deepEqual(p.ResponseHeaders.get('location'), ['/b']);
  assert.deepEqual(p.RequestHeaders.get('x-a'), ['1', '2']);
  assert.equal(p.Host, '');
  assert.equal(parseMeshResponses('junk\n\nStatusCode=200\n\nHostname=h\n\n').length, 2);
});

test('comparison rules of the mesh helper', () => {
  const p = parseMeshResponse('StatusCode=200\nRequestHeader=X-A:1\nRequestHeader=X-A:2\nResponseHeader=X-R:r\nHostname=echo-v1-x-y');
  assert.equal(compareMeshResponse({ backend: 'echo-v1', expectedRequest: { headers: { 'x-a': '1,2' } }, response: { headers: { 'X-R': 'r' } } }, p), undefined);
  assert.match(compareMeshResponse({ backend: 'echo-v2' }, p)!, /expected a pod of echo-v2/);
  assert.match(compareMeshResponse({ response: { statusCodes: [301] } }, p)!, /expected status code in \[301\]/);
  assert.equal(compareMeshResponse({ request: { protocol: 'GRPC' }, response: { statusCodes: [0] } }, p), undefined);
  assert.match(compareMeshResponse({ expectedRequest: { absentHeaders: ['X-A'] } }, p)!, /to be absent/);
  assert.match(compareMeshResponse({ response: { absentHeaders: ['x-r'] } }, p)!, /to be absent/);
  assert.match(compareMeshResponse({}, parseMeshResponse('StatusCode=abc'))!, /not an integer/);
});

test('ops: ConnectToApp, a passing and a failing convergence, and RequestBatch', async () => {
  const ctx = meshCtx([service('echo-v2', SERVER_IP), service('echo')]);
  const client = await requestOps['echo.ConnectToApp']!({ op: 'echo.ConnectToApp', app: 'app=echo,version=v1' }, ctx);
  assert.deepEqual(client, { Name: 'echo-v1-aaaaa-bbbbb', Namespace: NS, Address: CLIENT_IP });
  await assert.rejects(requestOps['echo.ConnectToApp']!({ op: 'echo.ConnectToApp', app: 'app=echo,version=v9' }, ctx), (e) => e instanceof StepFailure && /no Pod/.test(e.message));
  const op = requestOps['echo.MeshPod.MakeRequestAndExpectEventuallyConsistentResponse']!;
  const host = `echo-v2:${v2.ports.http}`;
  await op({ op: 'x', receiver: client, exp: { request: { host, headers: { 'X-In': 'a' } }, expectedRequest: { headers: { 'X-In': 'a' } }, backend: 'echo-v2' } }, ctx);
  await assert.rejects(op({ op: 'x', receiver: client, exp: { request: { host }, backend: 'echo-v1' } }, ctx), (e) => e instanceof StepFailure && /expected a pod of echo-v1/.test(e.message));
  await assert.rejects(op({ op: 'x', receiver: client, exp: { request: { host: 'echo' } } }, ctx), (e) => e instanceof StepFailure && /has no clusterIP: the implementation serves no mesh address/.test(e.message) && !/harness:/.test(e.message));
  const batch = (await requestOps['echo.MeshPod.RequestBatch']!({ op: 'b', receiver: client, exp: { request: { host: `echo-v2:${v2.ports.grpc}`, protocol: 'grpc' } }, count: 4 }, ctx)) as { Hostname: string }[];
  assert.deepEqual(batch.map((r) => r.Hostname), Array(4).fill('echo-v2-abc12-xyz34'));
  await assert.rejects(requestOps['echo.MeshPod.RequestBatch']!({ op: 'b', receiver: client, exp: {}, count: 2 }, ctx), /failed batch mesh request: exec failed/);
  const gone = { ...(client as object), Name: 'echo-v1-gone-gone' };
  await assert.rejects(op({ op: 'x', receiver: gone, exp: { request: { host } } }, ctx), /pods "echo-v1-gone-gone" not found/);
});

/** Every mesh step of the corpus: the argv built by the helper rules equals derive.clientArgs. */
test('clientArgs agrees with derive.clientArgs of every corpus mesh step', () => {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'conformance', 'tests');
  let checked = 0;
  const walk = (steps: any[]) => {
    for (const s of steps ?? []) {
      if (String(s.op).startsWith('echo.MeshPod.') && Array.isArray(s.derive?.clientArgs)) {
        const count = s.op.endsWith('RequestBatch') ? '$count' : undefined;
        const got = clientArgs(s.exp ?? {}, count as any);
        // Headers come in Go map order upstream: compare the command and URL exactly, the rest as a set.
        assert.deepEqual(got.slice(0, 2), s.derive.clientArgs.slice(0, 2), JSON.stringify(s.exp));
        assert.deepEqual([...got].sort(), [...s.derive.clientArgs].sort(), JSON.stringify(s.exp));
        checked++;
      }
      for (const k of ['steps', 'else', 'fn', 'sendFunc', 'sendBatchFunc']) if (Array.isArray(s[k])) walk(s[k]);
    }
  };
  for (const f of fs.readdirSync(dir).filter((n) => n.startsWith('Mesh'))) walk(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).steps);
  assert.ok(checked > 50, `only ${checked} mesh steps checked`);
});
