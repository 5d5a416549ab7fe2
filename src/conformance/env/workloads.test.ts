import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from '../../store/store.ts';
import { startAdminServer } from '../../admin/server.ts';
import { AdminClient } from '../../cli/client.ts';
import type { K8sObject } from '../../api/object.ts';
import { startWorkloads, type WorkloadsController } from './workloads.ts';
import { createLeaf, tlsSecret } from '../certs.ts';
import { IpPool } from './ip-pool.ts';

const NS = 'wl-test';

function deployment(name: string, replicas: number | undefined, extraEnv: any[] = [], podSpec: any = {}, container: any = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...podSpec,
          containers: [
            {
              name,
              image: 'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0',
              env: [
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'HTTP_PORT', value: '0' },
                { name: 'H2C_PORT', value: '0' },
                ...extraEnv,
              ],
              ...container,
            },
          ],
        },
      },
    },
  };
}

const service = (name: string, selector?: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http', protocol: 'TCP', port: 8080, targetPort: 3000, appProtocol: 'kubernetes.io/h2c' }] },
});

async function waitFor<T>(what: string, fn: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withEnv(fn: (store: Store, admin: AdminClient, w: WorkloadsController) => Promise<void>): Promise<void> {
  const store = new Store();
  const server = await startAdminServer({ store, host: '127.0.0.1', port: 0 });
  const admin = new AdminClient(server.url);
  const w = await startWorkloads({ admin, podNetwork: '127.21.0.0/16', pollMs: 20 });
  try {
    await fn(store, admin, w);
  } finally {
    await w.stop();
    await server.close();
  }
}

const slicesOf = (store: Store, svc: string) => store.list('discovery.k8s.io', 'EndpointSlice', { namespace: NS }).filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc);

test('a Deployment becomes pods, Pod objects and an EndpointSlice; scaling and deletion follow', async () => {
  await withEnv(async (store, admin, w) => {
    const lines: string[] = [];
    const unsubscribe = w.onLog((pod, line) => lines.push(`${pod.name}: ${line}`));
    await admin.create(deployment('web', 2));
    await admin.create(service('web', { app: 'web' }));
    await admin.create(service('manual'));
    await w.settled();

    const pods = store.list('', 'Pod', { namespace: NS });
    assert.equal(pods.length, 2);
    for (const p of pods) {
      assert.match(p.metadata.name, /^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
      assert.equal(p.metadata.labels?.app, 'web');
      assert.equal(p.status.phase, 'Running');
      assert.match(p.status.podIP, /^127\.21\.0\.\d+$/);
      assert.ok(p.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    }
    assert.deepEqual(w.pods(NS, { app: 'web' }).map((p) => p.name).sort(), pods.map((p) => p.metadata.name).sort());

    const [slice, ...more] = slicesOf(store, 'web');
    assert.equal(more.length, 0);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 3000, appProtocol: 'kubernetes.io/h2c' }]);
    assert.deepEqual(slice.endpoints.map((e: any) => e.addresses[0]).sort(), pods.map((p) => p.status.podIP).sort());
    assert.ok(slice.endpoints.every((e: any) => e.conditions.ready === true && e.targetRef.kind === 'Pod'));
    assert.equal(slicesOf(store, 'manual').length, 0, 'Services without a selector are left alone');

    // The pod answers as itself (Downward API env resolved) and its log line is captured.
    const pod = w.pods(NS)[0];
    const port = w.podPorts(NS, pod.name)!.http;
    const doc: any = await (await fetch(`http://${pod.ip}:${port}/hello`)).json();
    assert.equal(doc.pod, pod.name);
    assert.equal(doc.namespace, NS);
    assert.ok(w.logs(NS, pod.name).some((l) => l.startsWith('Echoing back request made to /hello to client')));
    assert.ok(lines.some((l) => l.startsWith(`${pod.name}: Echoing back request made to /hello`)));
    assert.equal(w.logsSince(NS, pod.name, Date.now() + 60_000).length, 0);
    unsubscribe();

    await admin.patch('apps/v1', 'Deployment', NS, 'web', { spec: { replicas: 1 } });
    await waitFor('scale down', () => store.list('', 'Pod', { namespace: NS }).length === 1 && slicesOf(store, 'web')[0]?.endpoints.length === 1);
    await w.settled();
    assert.equal(w.pods(NS).length, 1);
    assert.equal(slicesOf(store, 'web')[0].endpoints[0].addresses[0], w.pods(NS)[0].ip);

    await admin.delete('apps/v1', 'Deployment', NS, 'web');
    await waitFor('pods gone', () => store.list('', 'Pod', { namespace: NS }).length === 0 && slicesOf(store, 'web')[0]?.endpoints.length === 0);
    assert.equal(w.pods(NS).length, 0);
    await admin.delete('v1', 'Service', NS, 'web');
    await waitFor('slice gone', () => slicesOf(store, 'web').length === 0);
  });
});

test('a pod mounting a missing Secret waits for it, then serves HTTPS with its certificate', async () => {
  await withEnv(async (store, admin, w) => {
    const dep = deployment(
      'tls',
      undefined,
      [
        { name: 'HTTPS_PORT', value: '0' },
        { name: 'TLS_SERVER_CERT', value: '/etc/secret-volume/crt' },
        { name: 'TLS_SERVER_PRIVKEY', value: '/etc/secret-volume/key' },
      ],
      { volumes: [{ name: 'secret-volume', secret: { secretName: 'cert', items: [{ key: 'tls.crt', path: 'crt' }, { key: 'tls.key', path: 'key' }] } }] },
      { volumeMounts: [{ name: 'secret-volume', mountPath: '/etc/secret-volume' }] },
    );
    await admin.create(dep);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(store.list('', 'Pod', { namespace: NS }).length, 0, 'no pod without its Secret');
    await admin.create(tlsSecret(NS, 'cert', await createLeaf(['tls.example.com'], 'ServerAuth')));
    await w.settled();
    const [pod] = w.pods(NS);
    assert.ok(pod, 'the pod runs once the Secret exists');
    assert.equal(typeof w.podPorts(NS, pod.name)!.https, 'number', 'HTTPS listener started from the mounted files');
  });
});

test('the address pool skips .0 and .255 and reuses released addresses', () => {
  const pool = new IpPool('127.30.0.254/31');
  assert.equal(pool.allocate(), '127.30.0.254');
  assert.throws(() => pool.allocate(), /exhausted/);
  pool.release('127.30.0.254');
  assert.equal(pool.allocate(), '127.30.0.254');
  assert.throws(() => new IpPool('10.0.0.0/40'), /invalid pod network/);
});
