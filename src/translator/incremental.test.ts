/**
 * The incremental translator (createTranslator) must be invisible in its output: after any sequence of
 * changes, its result deep-equals a translation from scratch of the same snapshot and env, IR and
 * statuses alike. Checked on random change sequences (fast-check) against a real Store (whose
 * snapshots share unchanged objects, as in production), and on every golden case run through one
 * translator one after another (so results memoised for one world meet the next one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML from 'yaml';
import { groupOf, keyOf, keyString } from '../api/object.ts';
import type { K8sObject } from '../api/object.ts';
import { kindInfo } from '../api/kinds.ts';
import { Store } from '../store/store.ts';
import { snapshotOf } from '../store/snapshot.ts';
import { createTranslator, translate } from './index.ts';
import { testAllocator } from './test-allocator.ts';
import type { ChangeSet, TranslateEnv } from './types.ts';

const GW = 'gateway.networking.k8s.io/v1';
const CONTROLLER = 'gatehouse.dev/gateway-controller';
const NAMESPACES = ['a', 'b'];
const HOSTS = ['x.example.com', '*.example.com', 'y.example.com', 'other.test'];

function env(version: number, addresses = testAllocator()): TranslateEnv {
  const now = `2026-01-01T00:00:${String(version % 60).padStart(2, '0')}Z`;
  return { controllerName: CONTROLLER, version, now, addresses, bindErrors: new Map() };
}

/**
 * The fixed part of the world: a class, two Gateways, Services with slices; with `more`, a third Gateway whose
 * listener admits GRPCRoutes alone from namespaces labelled grpc=yes (a listener holding one kind, which a patch
 * may touch), and a fourth with an HTTPS listener whose certificates are Secrets b/s1 and a/s0.
 */
function baseWorld(store: Store, more = false): void {
  store.apply({ apiVersion: GW, kind: 'GatewayClass', metadata: { name: 'gc' }, spec: { controllerName: CONTROLLER } });
  for (const ns of NAMESPACES) store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: ns } } });
  store.apply(gateway('g1', 'a', '', 'All'));
  store.apply(gateway('g2', 'b', '*.example.com', 'Same'));
  if (more) {
    const g3 = gateway('g3', 'a', '', 'All');
    // Namespaces chosen by label: their labels matter to what attaches here.
    g3.spec.listeners[0] = { ...g3.spec.listeners[0], port: 81, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { grpc: 'yes' } } }, kinds: [{ kind: 'GRPCRoute' }] } };
    store.apply(g3);
    // An HTTPS listener whose certificate is Secret a/s0 (random text, so its status follows the Secret).
    const g4 = gateway('g4', 'a', '', 'All');
    // Its first certificate is in namespace b: a Gateway reference that needs the ReferenceGrant (op 'grant').
    g4.spec.listeners[0] = { name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ name: 's1', namespace: 'b' }, { name: 's0' }] } };
    store.apply(g4);
  }
  for (const ns of NAMESPACES) for (let i = 0; i < 3; i++) for (const o of service(ns, `svc-${i}`, 8000 + i)) store.apply(o);
}

function gateway(name: string, ns: string, hostname: string, from: string): K8sObject {
  const listener = { name: 'http', port: 80, protocol: 'HTTP', ...(hostname && { hostname }), allowedRoutes: { namespaces: { from } } };
  return { apiVersion: GW, kind: 'Gateway', metadata: { name, namespace: ns }, spec: { gatewayClassName: 'gc', listeners: [listener] } };
}

function service(ns: string, name: string, port: number): K8sObject[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 80, targetPort: port }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    },
  ];
}

const arbRoute = fc.record({
  kind: fc.constantFrom('HTTPRoute', 'HTTPRoute', 'GRPCRoute'),
  name: fc.constantFrom('r0', 'r1', 'r2', 'r3'),
  ns: fc.constantFrom(...NAMESPACES),
  parents: fc.subarray([{ name: 'g1', namespace: 'a' }, { name: 'g2', namespace: 'b' }, { name: 'g1', namespace: 'a', sectionName: 'nope' }, { name: 'g3', namespace: 'a' }], { minLength: 1 }),
  hostnames: fc.subarray(HOSTS),
  backends: fc.array(fc.record({ ns: fc.constantFrom(...NAMESPACES), svc: fc.constantFrom('svc-0', 'svc-1', 'svc-3'), weight: fc.integer({ min: 0, max: 3 }) }), { maxLength: 2 }),
  path: fc.constantFrom('/', '/a', '/a/b'),
});

function route(r: any): K8sObject {
  const backendRefs = r.backends.map((b: any) => ({ name: b.svc, namespace: b.ns, port: 80, weight: b.weight }));
  const match = r.kind === 'HTTPRoute' ? { path: { type: 'PathPrefix', value: r.path } } : { method: { service: `s${r.path.length}` } };
  return {
    apiVersion: GW,
    kind: r.kind,
    metadata: { name: r.name, namespace: r.ns },
    spec: { parentRefs: r.parents, hostnames: r.hostnames, rules: [{ matches: [match], backendRefs }] },
  };
}

/** One change to the world, applied through the store (the way providers and the admin API do it). */
const arbChange = fc.oneof(
  arbRoute.map((r) => ({ op: 'route' as const, r })),
  fc.record({ kind: fc.constantFrom('HTTPRoute', 'GRPCRoute'), name: fc.constantFrom('r0', 'r1', 'r2', 'r3'), ns: fc.constantFrom(...NAMESPACES) }).map((d) => ({ op: 'delete' as const, d })),
  fc.record({ ns: fc.constantFrom(...NAMESPACES), svc: fc.constantFrom('svc-0', 'svc-1', 'svc-3'), port: fc.integer({ min: 9000, max: 9002 }) }).map((s) => ({ op: 'service' as const, s })),
  fc.constantFrom('a', 'b').map((ns) => ({ op: 'deleteService' as const, ns })),
  fc.boolean().map((on) => ({ op: 'grant' as const, on })),
  fc.constantFrom('', '*.example.com', 'x.example.com').map((h) => ({ op: 'gateway' as const, h })),
  fc.constant({ op: 'policy' as const }),
  fc.constant({ op: 'deleteGateway' as const }),
  fc.record({ kind: fc.constantFrom('HTTPRoute', 'Gateway'), name: fc.constantFrom('r0', 'r1', 'g2'), ns: fc.constantFrom(...NAMESPACES) }).map((o) => ({ op: 'overwrite' as const, o })),
  fc.record({ target: fc.constantFrom('g1', 'g2', 'gc'), value: fc.constantFrom('x', 'y', undefined) }).map((m) => ({ op: 'metadata' as const, m })),
  // Secrets: a/s0 is the HTTPS listener's certificate (in the world with that listener), the others nobody's.
  fc.record({ name: fc.constantFrom('s0', 's1'), ns: fc.constantFrom(...NAMESPACES), data: fc.constantFrom('one', 'two', undefined) }).map((x) => ({ op: 'secret' as const, x })),
  fc.record({ ns: fc.constantFrom(...NAMESPACES, 'c'), grpc: fc.constantFrom('yes', 'no', undefined) }).map((n) => ({ op: 'namespace' as const, n })),
);

type Change = any;

function applyChange(store: Store, c: Change): void {
  const del = (group: string, kind: string, namespace: string, name: string) => {
    if (store.get(group, kind, namespace, name)) store.delete({ group, kind, namespace, name });
  };
  switch (c.op) {
    case 'route':
      return void store.apply(route(c.r));
    case 'delete':
      return del('gateway.networking.k8s.io', c.d.kind, c.d.ns, c.d.name);
    case 'service':
      for (const o of service(c.s.ns, c.s.svc, c.s.port)) store.apply(o);
      return;
    case 'deleteService':
      return del('', 'Service', c.ns, 'svc-1');
    case 'grant':
      if (!c.on) return del('gateway.networking.k8s.io', 'ReferenceGrant', 'b', 'from-a');
      return void store.apply({
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: 'from-a', namespace: 'b' },
        spec: {
          from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'a' }, { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'a' }],
          to: [{ group: '', kind: 'Service' }, { group: '', kind: 'Secret' }],
        },
      });
    case 'gateway':
      return void store.apply(gateway('g2', 'b', c.h, 'All'));
    case 'deleteGateway':
      return del('gateway.networking.k8s.io', 'Gateway', 'b', 'g2');
    case 'overwrite': {
      // Another writer replaces a status: the controller must put ours back.
      const key = { group: 'gateway.networking.k8s.io', kind: c.o.kind, namespace: c.o.ns, name: c.o.name };
      if (store.get(key.group, key.kind, key.namespace, key.name)) store.updateStatus(key, c.o.kind === 'Gateway' ? { conditions: [] } : { parents: [] });
      return;
    }
    case 'metadata': {
      // Labels and annotations edited on a Gateway or the GatewayClass (kubectl annotate, GitOps tools).
      const [kind, ns, name] = c.m.target === 'gc' ? ['GatewayClass', '', 'gc'] : ['Gateway', c.m.target === 'g1' ? 'a' : 'b', c.m.target];
      const cur = store.get('gateway.networking.k8s.io', kind, ns, name);
      if (cur === undefined) return;
      const meta = { ...cur.metadata, labels: c.m.value === undefined ? undefined : { tier: c.m.value }, annotations: c.m.value === undefined ? undefined : { 'example.com/note': c.m.value } };
      return void store.apply({ apiVersion: cur.apiVersion, kind, metadata: meta, spec: cur.spec });
    }
    case 'namespace': {
      // Labels of a Namespace (a, b hold routes; c nothing): g3's listener selects grpc=yes.
      const labels = { team: c.n.ns, ...(c.n.grpc !== undefined && { grpc: c.n.grpc }) };
      return void store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: c.n.ns, labels } });
    }
    case 'secret': {
      if (c.x.data === undefined) return del('', 'Secret', c.x.ns, c.x.name);
      return void store.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: c.x.name, namespace: c.x.ns }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': c.x.data, 'tls.key': c.x.data } });
    }
    case 'policy': {
      const name = 'tls';
      if (store.get('gateway.networking.k8s.io', 'BackendTLSPolicy', 'a', name)) return del('gateway.networking.k8s.io', 'BackendTLSPolicy', 'a', name);
      return void store.apply({
        apiVersion: GW,
        kind: 'BackendTLSPolicy',
        metadata: { name, namespace: 'a' },
        spec: { targetRefs: [{ group: '', kind: 'Service', name: 'svc-0' }], validation: { hostname: 'svc.example.com', wellKnownCACertificates: 'System' } },
      });
    }
  }
}

/** Writes the statuses the way the controller does (only when they differ). */
function writeStatuses(store: Store, statuses: readonly { key: any; status: unknown }[]): void {
  for (const u of statuses) if (store.get(u.key.group, u.key.kind, u.key.namespace, u.key.name)) store.updateStatus(u.key, u.status);
}

test('incremental translation equals translation from scratch after every random change', () => {
  fc.assert(
    fc.property(fc.array(arbChange, { minLength: 1, maxLength: 25 }), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), fc.boolean(), (changes, writes, more) => {
      const store = new Store();
      baseWorld(store, more);
      const incremental = createTranslator();
      const addresses = testAllocator();
      changes.forEach((c, i) => {
        applyChange(store, c);
        const snap = store.snapshot();
        const e = env(i + 1, addresses);
        const got = incremental(snap, e);
        const want = translate(snap, e);
        assert.deepEqual(got.ir, want.ir, `IR after change ${i}`);
        assert.deepEqual(got.statuses, want.statuses, `statuses after change ${i}`);
        assert.deepEqual(got.gateways, want.gateways);
        if (writes[i]) writeStatuses(store, got.statuses);
      });
    }),
    { numRuns: 150 },
  );
});

/** The change sets a controller would hand over: the store's watch events, our own status writes apart. */
class ChangeFeed {
  #changed = new Set<string>();
  #own = new Set<string>();
  #writing = false;
  readonly #store: Store;
  readonly #unwatch: () => void;

  constructor(store: Store) {
    this.#store = store;
    this.#unwatch = store.watch((ev) => (this.#writing ? this.#own : this.#changed).add(keyString(keyOf(ev.object))));
  }

  /** What changed since the last call. */
  take(): ChangeSet {
    const out = { keys: this.#changed, ownStatus: this.#own };
    this.#changed = new Set();
    this.#own = new Set();
    return out;
  }

  /** Writes statuses as the controller does (their events go to ownStatus). */
  writeStatuses(statuses: readonly { key: any; status: unknown }[]): void {
    this.#writing = true;
    writeStatuses(this.#store, statuses);
    this.#writing = false;
  }

  close(): void {
    this.#unwatch();
  }
}

/**
 * Drives an incremental translator the way the controller does: each translation is told the keys the
 * store's watch reported since the previous one (status writes included), and every status is written.
 * Checks after each step: IR equal to translation from scratch; every status from scratch equal to the
 * last one the incremental translator gave for that object (a partial result lists only the touched ones).
 */
function changeSetRun(store: Store, steps: readonly Change[], settle: readonly boolean[]): number {
  const feed = new ChangeFeed(store);
  const incremental = createTranslator();
  const addresses = testAllocator();
  const view = new Map<string, unknown>();
  let partial = 0;
  let version = 0;
  const step = (label: string) => {
    const snap = store.snapshot();
    const e = env(++version, addresses);
    const changes = feed.take();
    const got = incremental(snap, e, version === 1 ? undefined : changes);
    const want = translate(snap, e);
    if (got.partial) partial++;
    else view.clear();
    for (const u of got.statuses) view.set(keyString(u.key), u.status);
    assert.deepEqual(got.ir, want.ir, `IR after ${label}`);
    for (const u of want.statuses) assert.deepEqual(view.get(keyString(u.key)), u.status, `status of ${keyString(u.key)} after ${label}`);
    const wanted = new Set(want.statuses.map((u) => keyString(u.key)));
    for (const u of got.statuses) assert.ok(wanted.has(keyString(u.key)), `${keyString(u.key)} is not ours after ${label}`);
    assert.deepEqual(got.gateways, want.gateways);
    feed.writeStatuses(got.statuses);
  };
  try {
    step('start');
    steps.forEach((c, i) => {
      applyChange(store, c);
      step(`change ${i} (${c.op})`);
      if (settle[i]) step(`status writes of change ${i}`);
    });
  } finally {
    feed.close();
  }
  return partial;
}

test('the change-set path equals translation from scratch after every random change', () => {
  let partial = 0;
  fc.assert(
    fc.property(fc.array(arbChange, { minLength: 1, maxLength: 25 }), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), fc.boolean(), (changes, settle, more) => {
      const store = new Store();
      baseWorld(store, more);
      partial += changeSetRun(store, changes, settle);
    }),
    { numRuns: 150 },
  );
  assert.ok(partial > 100, `the patching path was taken ${partial} times`);
});

test('a single-route change is patched: untouched sockets and virtual hosts keep their identity', () => {
  const store = new Store();
  baseWorld(store);
  const routeOf = (name: string, ns: string, hostnames: string[], svc = 'svc-0') =>
    route({ kind: 'HTTPRoute', name, ns, parents: [{ name: 'g1', namespace: 'a' }, { name: 'g2', namespace: 'b' }], hostnames, backends: [{ ns, svc, weight: 1 }], path: '/' });
  for (let i = 0; i < 20; i++) store.apply(routeOf(`r${i}`, NAMESPACES[i % 2], [`h${i}.example.com`]));
  const feed = new ChangeFeed(store);
  const incremental = createTranslator();
  const addresses = testAllocator();
  const run = (v: number, full = false) => {
    const changes = feed.take();
    const got = incremental(store.snapshot(), env(v, addresses), full ? undefined : changes);
    feed.writeStatuses(got.statuses);
    return got;
  };
  const first = run(1, true);
  assert.equal(first.partial, undefined);
  const settled = run(2); // our own status writes come back as changes: 20 routes, 2 Gateways, the class
  assert.equal(settled.partial, true);
  assert.deepEqual(settled.statuses.map((u) => u.key.kind), ['Gateway', 'Gateway', 'GatewayClass'], 'routes our writes touched are not looked at again');
  store.apply(routeOf('r3', 'b', ['h3.example.com'], 'svc-1'));
  const got = run(3);
  assert.equal(got.partial, true);
  assert.deepEqual(got.ir, translate(store.snapshot(), env(3, addresses)).ir);
  const kinds = got.statuses.map((u) => u.key.kind).sort();
  assert.deepEqual(kinds, ['HTTPRoute'], 'the route alone: the attachedRoutes of its listeners did not change');
  const vhosts = (r: typeof got) => new Map(r.ir.sockets.flatMap((s) => s.httpListeners.flatMap((l) => l.virtualHosts.map((v) => [`${l.name} ${v.hostname}`, v] as const))));
  const before = vhosts(settled);
  let same = 0;
  for (const [k, v] of vhosts(got)) if (before.get(k) === v) same++;
  assert.equal(same, vhosts(got).size - 2, 'only h3.example.com is rebuilt, on each of the two listeners');
  feed.close();
});

test('an endpoint change is patched: only the routes using that Service are redone', () => {
  const store = new Store();
  baseWorld(store);
  for (let i = 0; i < 6; i++) {
    store.apply(route({ kind: 'HTTPRoute', name: `r${i}`, ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: [`h${i}.example.com`], backends: [{ ns: 'a', svc: `svc-${i % 3}`, weight: 1 }], path: '/' }));
  }
  const feed = new ChangeFeed(store);
  const incremental = createTranslator();
  const addresses = testAllocator();
  const first = incremental(store.snapshot(), env(1, addresses));
  feed.writeStatuses(first.statuses);
  const settled = incremental(store.snapshot(), env(2, addresses), feed.take());
  feed.writeStatuses(settled.statuses);
  for (const o of service('a', 'svc-1', 9100)) store.apply(o); // new endpoints port for r1 and r4
  const got = incremental(store.snapshot(), env(3, addresses), feed.take());
  assert.equal(got.partial, true);
  assert.deepEqual(got.ir, translate(store.snapshot(), env(3, addresses)).ir);
  assert.deepEqual(got.statuses.map((u) => u.key.name), ['r1', 'r4'], 'the routes of svc-1; no Gateway (attachedRoutes unchanged)');
  const ports = got.ir.sockets.flatMap((s) => s.httpListeners.flatMap((l) => l.virtualHosts)).filter((v) => v.hostname === 'h1.example.com').flatMap((v) => v.routes[0].backends[0].endpoints.map((e) => e.port));
  assert.deepEqual(ports, [9100]);
  feed.close();
});

test('an unchanged world is translated again without compiling any route', () => {
  const store = new Store();
  baseWorld(store);
  for (const name of ['r0', 'r1']) store.apply(route({ kind: 'HTTPRoute', name, ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: [], backends: [{ ns: 'a', svc: 'svc-0', weight: 1 }], path: '/' }));
  const incremental = createTranslator();
  const addresses = testAllocator();
  const first = incremental(store.snapshot(), env(1, addresses));
  const second = incremental(store.snapshot(), env(2, addresses));
  assert.deepEqual(second.ir.sockets, first.ir.sockets);
  // Same IR route objects: the data plane can reuse what it compiled from them.
  const routes = (r: typeof first) => r.ir.sockets.flatMap((s) => s.httpListeners.flatMap((l) => l.virtualHosts.flatMap((v) => v.routes)));
  assert.equal(routes(second).length, 2);
  routes(second).forEach((r, i) => assert.equal(r, routes(first)[i]));
});

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const goldenDir = path.join(projectRoot, 'testdata', 'translator');

function loadCase(file: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8'))) {
    const o = doc.toJS();
    if (!o || o.kind === 'BindErrors') continue;
    if (kindInfo(groupOf(o.apiVersion), o.kind)?.namespaced) o.metadata.namespace ??= 'default';
    out.push(o);
  }
  return out;
}

test('one incremental translator through every golden case, twice, equals translation from scratch', () => {
  const files = readdirSync(goldenDir).filter((f) => f.endsWith('.in.yaml')).sort();
  assert.ok(files.length > 50);
  const worlds = files.map((f) => ({ f, objects: loadCase(path.join(goldenDir, f)) }));
  const incremental = createTranslator();
  for (const { f, objects } of [...worlds, ...worlds.reverse()]) {
    const snap = snapshotOf(objects);
    const e = () => ({ ...env(7), bindErrors: new Map<string, string>() });
    const got = incremental(snap, e());
    const want = translate(snap, e());
    assert.deepEqual(got.ir, want.ir, `${f}: IR`);
    assert.deepEqual(got.statuses, want.statuses, `${f}: statuses`);
  }
});

test('a BackendTLSPolicy added or removed reaches the backends of unchanged routes', () => {
  const store = new Store();
  baseWorld(store);
  // Two routes: the policy index is built while compiling the first; the second depends on it as much.
  for (const [name, path] of [['r0', '/'], ['r1', '/a']]) {
    store.apply(route({ kind: 'HTTPRoute', name, ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: [], backends: [{ ns: 'a', svc: 'svc-0', weight: 1 }], path }));
  }
  const incremental = createTranslator();
  const addresses = testAllocator();
  const backends = (r: ReturnType<typeof translate>) => r.ir.sockets.flatMap((s) => s.httpListeners.flatMap((l) => l.virtualHosts.flatMap((v) => v.routes.flatMap((x) => x.backends))));
  const before = incremental(store.snapshot(), env(1, addresses));
  assert.ok(backends(before).every((b) => b.tls === undefined));
  for (let i = 2; i <= 3; i++) {
    applyChange(store, { op: 'policy' }); // added, then removed
    const snap = store.snapshot();
    const got = incremental(snap, env(i, addresses));
    const want = translate(snap, env(i, addresses));
    assert.deepEqual(got.ir, want.ir);
    assert.deepEqual(got.statuses, want.statuses);
    assert.equal(backends(got).length, 2);
    for (const b of backends(got)) assert.equal(b.tls === undefined && b.invalid === undefined, i === 3, `policy ${i === 2 ? 'added' : 'removed'}`);
  }
});

/**
 * Drives an incremental translator over `store` as the controller does, checking each IR against translation
 * from scratch: `run(true)` translates everything, `run()` is told the store's changes since the last run.
 */
function driver(store: Store): { run: (full?: boolean) => ReturnType<ReturnType<typeof createTranslator>>; close: () => void } {
  const feed = new ChangeFeed(store);
  const incremental = createTranslator();
  const addresses = testAllocator();
  let v = 0;
  const run = (full = false) => {
    const got = incremental(store.snapshot(), env(++v, addresses), full ? undefined : feed.take());
    assert.deepEqual(got.ir, translate(store.snapshot(), env(v, addresses)).ir);
    feed.writeStatuses(got.statuses);
    return got;
  };
  return { run, close: () => feed.close() };
}

test('a GRPCRoute change on a listener of GRPCRoutes alone is patched; joining a listener of HTTPRoutes is not', () => {
  const store = new Store();
  baseWorld(store, true);
  const grpc = (name: string, parents: { name: string; namespace: string }[], svc = 'svc-0') =>
    route({ kind: 'GRPCRoute', name, ns: 'a', parents, hostnames: [`${name}.example.com`], backends: [{ ns: 'a', svc, weight: 1 }], path: '/' });
  const g3 = [{ name: 'g3', namespace: 'a' }];
  store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 'a', grpc: 'yes' } } }); // g3 selects it
  for (let i = 0; i < 6; i++) store.apply(grpc(`g${i}`, g3));
  store.apply(route({ kind: 'HTTPRoute', name: 'h0', ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: ['h0.example.com'], backends: [{ ns: 'a', svc: 'svc-0', weight: 1 }], path: '/' }));
  const { run, close } = driver(store);
  run(true);
  run(); // our status writes
  store.apply(grpc('g2', g3, 'svc-1'));
  const changed = run();
  assert.equal(changed.partial, true, 'a backend change of a GRPCRoute is patched');
  assert.deepEqual(changed.statuses.map((u) => `${u.key.kind}/${u.key.name}`), ['GRPCRoute/g2']);
  store.apply(grpc('g6', g3));
  const added = run();
  assert.equal(added.partial, true, 'a new GRPCRoute is patched');
  assert.deepEqual(added.statuses.map((u) => `${u.key.kind}/${u.key.name}`).sort(), ['GRPCRoute/g6', 'Gateway/g3'], 'the route, and attachedRoutes of its Gateway');
  store.apply(grpc('g4', [...g3, { name: 'g1', namespace: 'a' }])); // now also on g1, which serves HTTPRoute h0
  assert.equal(run().partial, undefined, 'cross serving with HTTPRoutes needs a whole translation');
  close();
});

test('a Secret no translation read is patched (nothing to redo); a listener certificate Secret is not', () => {
  const store = new Store();
  baseWorld(store, true); // g4's HTTPS listener names Secret b/s1 first
  applyChange(store, { op: 'grant', on: true }); // which the grant lets it read
  const secret = (name: string, ns: string, data: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': data, 'tls.key': data } });
  const { run, close } = driver(store);
  run(true);
  run();
  store.apply(secret('app-token', 'a', 'x'));
  const unrelated = run();
  assert.equal(unrelated.partial, true, 'a workload Secret costs no translation');
  assert.deepEqual(unrelated.statuses, []);
  store.apply(secret('s1', 'b', 'y'));
  assert.equal(run().partial, undefined, 'the certificate of a listener: the Gateway is translated again');
  close();
});

test('a Namespace change is patched while no listener selects namespaces by label, and translated whole once one does', () => {
  for (const selecting of [false, true]) {
    const store = new Store();
    baseWorld(store, selecting); // with `selecting`, g3's listener admits namespaces labelled grpc=yes
    store.apply(route({ kind: 'GRPCRoute', name: 'g0', ns: 'a', parents: [{ name: 'g1', namespace: 'a' }, { name: 'g3', namespace: 'a' }], hostnames: [], backends: [{ ns: 'a', svc: 'svc-0', weight: 1 }], path: '/' }));
    const { run, close } = driver(store);
    run(true);
    run();
    store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', labels: { team: 'a', grpc: 'yes' } } });
    const relabelled = run();
    assert.equal(relabelled.partial, selecting ? undefined : true, selecting ? 'labels a selector reads: translated whole' : 'labels nobody reads: nothing to redo');
    if (selecting) assert.ok(relabelled.statuses.some((u) => u.key.kind === 'Gateway' && u.key.name === 'g3' && JSON.stringify(u.status).includes('"attachedRoutes":1')), 'g0 now attaches to g3');
    close();
  }
});

test('a ReferenceGrant change redoes the routes that checked grants; a Gateway that checked one too takes a whole translation', () => {
  for (const more of [false, true]) {
    const store = new Store();
    baseWorld(store, more); // with `more`, g4 names Secret b/s1 from namespace a
    store.apply(route({ kind: 'HTTPRoute', name: 'cross', ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: ['cross.example.com'], backends: [{ ns: 'b', svc: 'svc-0', weight: 1 }], path: '/' }));
    store.apply(route({ kind: 'HTTPRoute', name: 'local', ns: 'a', parents: [{ name: 'g1', namespace: 'a' }], hostnames: ['local.example.com'], backends: [{ ns: 'a', svc: 'svc-0', weight: 1 }], path: '/' }));
    const { run, close } = driver(store);
    run(true);
    run();
    for (const on of [true, false]) {
      applyChange(store, { op: 'grant', on });
      const got = run();
      if (more) assert.equal(got.partial, undefined, 'g4 checked the grant: translated whole');
      else {
        assert.equal(got.partial, true, 'only routes checked grants: patched');
        assert.deepEqual(got.statuses.map((u) => `${u.key.kind}/${u.key.name}`), ['HTTPRoute/cross'], 'the route with the cross-namespace backend, not the local one');
        assert.equal(JSON.stringify(got.statuses[0].status).includes('RefNotPermitted'), !on);
      }
    }
    close();
  }
});
