/**
 * In-process cost of a single-route change at scale (issue 6, scenarios 2 and 3), split by phase.
 *
 * Loads the scale fixture (bench/lib/scale.ts: 5,000 HTTPRoutes, 50 namespaces, 1,000 Services) into the
 * same stack `gatehouse run` builds (Store, FileProvider, Controller with the incremental translator,
 * HttpDataPlane, admin API with admission), then makes N merge-patches to one route each through the
 * admin API's verb handler (the calls an HTTP PATCH makes, without a client in this process), waiting for
 * the controller to be idle after each. Reports CPU per change (process.cpuUsage) and the time spent in
 * each phase (sync wall time ≈ CPU on one thread), GC pauses, and the first changes one by one.
 *
 *   node --max-semi-space-size=4 bench/change-cost.ts [--changes 200] [--http] [--create]
 *   node --max-semi-space-size=4 bench/change-cost.ts --profile /tmp/changes.cpuprofile   (the changes only)
 *
 * `--http` sends real PATCH requests (client cost included); `--create` POSTs new routes instead (scenario 3).
 * Run it under the bench lock (`flock /tmp/gatehouse-bench.lock ...`) on a shared machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { Store } from '../src/store/store.ts';
import { Controller } from '../src/runtime/controller.ts';
import { LoopbackAllocator } from '../src/runtime/addresses.ts';
import { admit } from '../src/runtime/admit.ts';
import { createTranslator } from '../src/translator/index.ts';
import { HttpDataPlane } from '../src/dataplane/index.ts';
import { FileProvider } from '../src/provider/file/provider.ts';
import { startAdminServer } from '../src/admin/server.ts';
import { parseResourcePath } from '../src/admin/route.ts';
import { patchObject, createObject } from '../src/admin/resources.ts';
import { freePort, httpCall } from './lib/net.ts';
import { nsName, routeHost, writeScaleFixture } from './lib/scale.ts';
import { httpRoute } from './systems/gatehouse.ts';

const args = process.argv.slice(2);
const CHANGES = Number(args[args.indexOf('--changes') + 1]) || 200;
const HTTP = args.includes('--http');
const CREATE = args.includes('--create');
/** `--profile FILE`: a CPU profile of the changes only (not of the load). */
const PROFILE = args.includes('--profile') ? args[args.indexOf('--profile') + 1] : undefined;
/** `--heap-profile FILE`: where the changes allocate (sampled, collected objects included). */
const HEAP = args.includes('--heap-profile') ? args[args.indexOf('--heap-profile') + 1] : undefined;
/** `--retained FILE`: what the load leaves on the heap, by allocation site (sampled). */
const RETAINED = args.includes('--retained') ? args[args.indexOf('--retained') + 1] : undefined;
/** `--settle MS`: idle time after each change, as scenario 2 leaves between changes (GC and JIT then land as there). */
const SETTLE = Number(args.includes('--settle') ? args[args.indexOf('--settle') + 1] : 0);

/** Wall time per phase (ms), accumulated over the measured changes. */
const phases = new Map<string, number>();
/** The same for each of the first changes alone (warm-up). */
const firsts: Map<string, number>[] = [];
let current: Map<string, number> | undefined;
let measuring = false;
function timed<A extends unknown[], R>(name: string, fn: (...a: A) => R): (...a: A) => R {
  return (...a: A): R => {
    if (!measuring) return fn(...a);
    const t0 = performance.now();
    try {
      return fn(...a);
    } finally {
      const ms = performance.now() - t0;
      phases.set(name, (phases.get(name) ?? 0) + ms);
      current?.set(name, (current.get(name) ?? 0) + ms);
    }
  };
}

let gcMs = 0;
let gcCount = 0;
const longGCs: string[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration > 5) longGCs.push(`${(e.startTime / 1000).toFixed(2)}s kind ${(e as any).detail?.kind} ${e.duration.toFixed(1)} ms`);
  }
  if (!measuring) return;
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount++;
  }
}).observe({ entryTypes: ['gc'] });

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-change-cost-'));
const port = await freePort();
writeScaleFixture(dir, port, 9); // the backend is never called
const store = new Store();
const s = store as any;
for (const m of ['update', 'create', 'updateStatus', 'snapshot'] as const) s[m] = timed(`store.${m}`, s[m].bind(store));
const dataplane = new HttpDataPlane({});
const apply = dataplane.apply.bind(dataplane);
dataplane.apply = timed('dataplane.apply (sync part)', apply);
const translate = createTranslator();
const controller = new Controller({
  store,
  dataplane,
  translate: timed('translate', translate),
  controllerName: 'gatehouse.dev/gateway-controller',
  addresses: new LoopbackAllocator('127.10.0.0/24'),
  log: (level, msg) => console.error(level, msg),
});
const loadSession = RETAINED ? new Session() : undefined;
if (loadSession) {
  loadSession.connect();
  await loadSession.post('HeapProfiler.startSampling', { samplingInterval: 4096 });
}
const tLoad = performance.now();
const provider = new FileProvider({ paths: [dir], store, log: (l) => console.error(l) });
await provider.start();
const loadedMs = performance.now() - tLoad;
const timedAdmit = timed('admit', admit);
const admin = await startAdminServer({ store, admit: timedAdmit });
await controller.start();
if (loadSession && RETAINED) {
  await loadSession.post('HeapProfiler.collectGarbage');
  const { profile } = await loadSession.post('HeapProfiler.stopSampling');
  writeFileSync(RETAINED, JSON.stringify(profile));
  loadSession.disconnect();
}
console.log(`load ${loadedMs.toFixed(0)} ms, first reconcile done ${(performance.now() - tLoad).toFixed(0)} ms after start`);

function routeFor(i: number) {
  const j = i % 50;
  if (CREATE) return httpRoute(`new-${i}`, nsName(j), 'bench', { hostnames: [`new-${i}.bench`], backends: [{ name: 'svc-0' }] });
  return httpRoute('route-0', nsName(j), 'bench', { hostnames: [routeHost(j, 0)], backends: [{ name: `svc-${i % 20}` }] });
}

async function change(i: number): Promise<void> {
  const route = routeFor(i);
  const meta = route.metadata as { name: string; namespace: string };
  const patch = { spec: { rules: [{ backendRefs: [{ name: `svc-${(i + 1) % 20}`, port: 80 }] }] } };
  const path = `/apis/gateway.networking.k8s.io/v1/namespaces/${meta.namespace}/httproutes${CREATE ? '' : `/${meta.name}`}`;
  if (HTTP) {
    const r = await httpCall(admin.url + path, CREATE ? { method: 'POST', body: JSON.stringify(route) } : { method: 'PATCH', body: JSON.stringify(patch), contentType: 'application/merge-patch+json' });
    if (r.status >= 300) throw new Error(`${r.status} ${r.body}`);
  } else {
    const rt = parseResourcePath(path.split('/').filter(Boolean))!;
    const ctx = { store, admit: timedAdmit, route: rt };
    const reply = CREATE ? await createObject(ctx, route, []) : await patchObject(ctx, patch, []);
    if (reply.code >= 300) throw new Error(`${reply.code} ${JSON.stringify(reply.body)}`);
  }
  await controller.idle();
  if (SETTLE) await new Promise((r) => setTimeout(r, SETTLE));
}

const wall: number[] = [];
const cpu: number[] = [];
const session = PROFILE || HEAP ? new Session() : undefined;
if (session && HEAP) {
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
if (session && PROFILE) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 }); // µs: a change is a few ms
  await session.post('Profiler.start');
}
measuring = true;
const c0 = process.cpuUsage();
for (let i = 1; i <= CHANGES; i++) {
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  current = i <= 3 ? new Map() : undefined;
  if (current) firsts.push(current);
  await change(i);
  const u = process.cpuUsage(u0);
  cpu.push((u.user + u.system) / 1000);
  wall.push(performance.now() - t0);
}
const total = process.cpuUsage(c0);
measuring = false;
if (session && PROFILE) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(PROFILE, JSON.stringify(profile));
}
if (session && HEAP) {
  const { profile } = await session.post('HeapProfiler.stopSampling');
  writeFileSync(HEAP, JSON.stringify(profile));
}
session?.disconnect();

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const q = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(`${CHANGES} ${CREATE ? 'creates' : 'merge-patches'} ${HTTP ? 'over HTTP' : 'through the verb handler'}`);
console.log(`CPU per change: mean ${mean(cpu).toFixed(2)} ms, p50 ${q(cpu, 0.5).toFixed(2)}, p99 ${q(cpu, 0.99).toFixed(2)}, max ${Math.max(...cpu).toFixed(2)} (total ${((total.user + total.system) / 1000 / CHANGES).toFixed(2)} ms/change)`);
console.log(`wall per change (request → controller idle): p50 ${q(wall, 0.5).toFixed(2)} ms, p99 ${q(wall, 0.99).toFixed(2)}, max ${Math.max(...wall).toFixed(2)}`);
console.log(`cpu per change: ${cpu.map((x) => x.toFixed(1)).join(' ')}`);
console.log(`first 5 changes wall: ${wall.slice(0, 5).map((x) => x.toFixed(1)).join(', ')} ms; cpu: ${cpu.slice(0, 5).map((x) => x.toFixed(1)).join(', ')} ms`);
console.log(`GC: ${(gcMs / CHANGES).toFixed(3)} ms/change, ${(gcCount / CHANGES).toFixed(2)} pauses/change`);
firsts.forEach((m, i) => console.log(`change ${i + 1}: ${[...m].map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`));
if (longGCs.length) console.log(`GC pauses > 5 ms (since process start): ${longGCs.join('; ')}`);
const mem = process.memoryUsage();
console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB of ${(mem.heapTotal / 2 ** 20).toFixed(0)}`);
for (const [name, ms] of [...phases].sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(30)} ${(ms / CHANGES).toFixed(3)} ms/change`);

await admin.close();
await controller.stop();
await provider.stop();
await dataplane.close();
rmSync(dir, { recursive: true, force: true });
