/**
 * End to end through `startGatehouse` — the same code `gatehouse run` runs: files in, traffic out,
 * status back. Each test uses its own loopback address pool so tests never share a socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGatehouse } from '../src/cli/run.ts';
import type { RunOptions } from '../src/cli/main.ts';
import { namedBackend, get, eventually, tempDir, isRoot } from './helpers.ts';

const G = 'gateway.networking.k8s.io';

function opts(files: string[], pool: string, controllerName = 'gatehouse.dev/gateway-controller'): RunOptions {
  return { files, admin: '127.0.0.1:0', controllerName, addressPool: pool, logLevel: 'error', allowRemoteAdmin: false };
}

function collectingLog() {
  const lines: string[] = [];
  return { lines, log: (_level: string, msg: string) => void lines.push(msg) };
}

const gatewayYaml = (port: number, extra = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gh}
spec: {controllerName: gatehouse.dev/gateway-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: gh
  listeners:
  - name: http
    protocol: HTTP
    port: ${port}${extra}
`;

const serviceYaml = (name: string, port: number, ns = 'default') => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${name}-1, namespace: ${ns}, labels: {kubernetes.io/service-name: ${name}}}
addressType: IPv4
ports: [{name: http, port: ${port}}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
`;

const routeYaml = (name: string, backend: string, path = '/', ns = 'default') => `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${ns}}
spec:
  parentRefs: [{name: gw, namespace: default}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${path}}}]
    backendRefs: [{name: ${backend}, port: 80}]
`;

test('the bundled example serves the demo backend with no files given', async () => {
  const gh = await startGatehouse(opts([], '127.10.91.0/24'), collectingLog().log);
  try {
    const res = await eventually(async () => {
      const r = await get('http://127.10.91.1:8080/hello');
      return r.status === 200 ? r : undefined;
    });
    assert.ok(res, 'quickstart answered 200');
    assert.match(res.body, /Hello from the Gatehouse demo backend/);
    assert.match(res.body, /path: +\/hello/);
  } finally {
    await gh.stop();
  }
});

test("the article's manifests (Prefix fixed) route GET / to my-service", async () => {
  const backend = await namedBackend('my-service');
  const { dir, cleanup } = tempDir();
  const article = readFileSync(new URL('../examples/article/gateway.yaml', import.meta.url), 'utf8');
  // Port 80 needs root; elsewhere the listener moves to 8080, which changes nothing else.
  const port = isRoot ? 80 : 8080;
  writeFileSync(join(dir, 'gateway.yaml'), article.replace('port: 80\n', `port: ${port}\n`));
  writeFileSync(join(dir, 'service.yaml'), serviceYaml('my-service', backend.port));
  const { lines, log } = collectingLog();
  const gh = await startGatehouse(opts([dir], '127.10.92.0/24', 'example.com/gateway-controller'), log);
  try {
    const res = await eventually(async () => {
      const r = await get(`http://127.10.92.1:${port}/`);
      return r.status === 200 ? r : undefined;
    });
    assert.equal(res?.body, 'my-service GET /');
    assert.ok(lines.some((l) => /v1alpha2.*deprecated|deprecated.*v1alpha2/i.test(l)), 'deprecation warning logged');
    const route = gh.store.get(G, 'HTTPRoute', 'default', 'my-http-route');
    const parent = route?.status?.parents?.[0];
    assert.equal(parent?.controllerName, 'example.com/gateway-controller');
    assert.ok(parent.conditions.some((c: any) => c.type === 'Accepted' && c.status === 'True'));
  } finally {
    await gh.stop();
    await backend.close();
    cleanup();
  }
});

test('a GatewayClass of another controller is left alone, with a log line saying how to serve it', async () => {
  const { dir, cleanup } = tempDir();
  writeFileSync(join(dir, 'gateway.yaml'), readFileSync(new URL('../examples/article/gateway.yaml', import.meta.url), 'utf8'));
  const { lines, log } = collectingLog();
  const gh = await startGatehouse(opts([dir], '127.10.93.0/24'), log);
  try {
    await gh.controller.idle();
    const line = lines.find((l) => l.includes('my-gateway-class'));
    assert.ok(line, 'a log line names the class');
    assert.match(line!, /gatehouse\.dev\/gateway-controller/);
    assert.match(line!, /--controller-name example\.com\/gateway-controller/);
    assert.equal(gh.store.get(G, 'GatewayClass', '', 'my-gateway-class')?.status, undefined, 'no status written');
    assert.equal(gh.store.get(G, 'Gateway', 'default', 'my-gateway')?.status, undefined);
  } finally {
    await gh.stop();
    cleanup();
  }
});

test('a route from a namespace the listener selector excludes is NotAllowedByListeners and gets no traffic', async () => {
  const backend = await namedBackend('b');
  const { dir, cleanup } = tempDir();
  const selector = `
    allowedRoutes:
      namespaces:
        from: Selector
        selector:
          matchExpressions:
          - {key: team, operator: In, values: [blue]}`;
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml(8080, selector));
  writeFileSync(
    join(dir, 'ns.yaml'),
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: blue, labels: {team: blue}}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: red, labels: {team: red}}\n`,
  );
  writeFileSync(join(dir, 'svc.yaml'), serviceYaml('b', backend.port, 'blue') + '---\n' + serviceYaml('b', backend.port, 'red'));
  writeFileSync(join(dir, 'routes.yaml'), routeYaml('ok', 'b', '/blue', 'blue') + '---\n' + routeYaml('no', 'b', '/red', 'red'));
  const gh = await startGatehouse(opts([dir], '127.10.94.0/24'), collectingLog().log);
  try {
    const ok = await eventually(async () => (await get('http://127.10.94.1:8080/blue')).status === 200);
    assert.ok(ok, 'allowed namespace is served');
    assert.equal((await get('http://127.10.94.1:8080/red')).status, 404);
    const red = gh.store.get(G, 'HTTPRoute', 'red', 'no');
    const accepted = red?.status?.parents?.[0]?.conditions?.find((c: any) => c.type === 'Accepted');
    assert.equal(accepted?.status, 'False');
    assert.equal(accepted?.reason, 'NotAllowedByListeners');
    const listener = gh.store.get(G, 'Gateway', 'default', 'gw')?.status?.listeners?.[0];
    assert.equal(listener?.attachedRoutes, 1);
  } finally {
    await gh.stop();
    await backend.close();
    cleanup();
  }
});

test('file edits and deletes take effect without a restart; a broken file keeps the last good config', async () => {
  const one = await namedBackend('one');
  const two = await namedBackend('two');
  const { dir, cleanup } = tempDir();
  writeFileSync(join(dir, 'gateway.yaml'), gatewayYaml(8080));
  writeFileSync(join(dir, 'svc.yaml'), serviceYaml('one', one.port) + '---\n' + serviceYaml('two', two.port));
  const routeFile = join(dir, 'route.yaml');
  writeFileSync(routeFile, routeYaml('r', 'one'));
  const { lines, log } = collectingLog();
  const gh = await startGatehouse(opts([dir], '127.10.95.0/24'), log);
  const url = 'http://127.10.95.1:8080/x';
  try {
    assert.ok(await eventually(async () => (await get(url)).body === 'one GET /x'));
    writeFileSync(routeFile, routeYaml('r', 'two'));
    assert.ok(await eventually(async () => (await get(url)).body === 'two GET /x'), 'edit applied');
    writeFileSync(routeFile, 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r\nspec: [');
    assert.ok(await eventually(() => lines.some((l) => l.includes('route.yaml:'))), 'the syntax error is reported with file and line');
    await gh.controller.idle();
    assert.equal((await get(url)).body, 'two GET /x', 'last good config keeps serving');
    rmSync(routeFile);
    assert.ok(await eventually(async () => (await get(url)).status === 404), 'delete applied');
  } finally {
    await gh.stop();
    await one.close();
    await two.close();
    cleanup();
  }
});
