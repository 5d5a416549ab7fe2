/**
 * The large configuration scenarios 2 and 3 share: 5,000 HTTPRoutes across 50 namespaces and 1,000
 * Services, as one YAML file per namespace, plus helpers to watch a Gatehouse process from outside
 * (/proc CPU and RSS) and to time how long a host takes to start answering 200.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { configDir, GATEWAY_CLASS, gateway, httpRoute, namespace, service, startGatehouseProc, writeObjects, type GatehouseProc, type Obj } from '../systems/gatehouse.ts';
import { attachedRoutes } from './admin.ts';
import { freePort, sleep } from './net.ts';

/** Size of the scale fixture (issue 6). */
export const NAMESPACES = 50;
export const SERVICES_PER_NS = 20;
export const ROUTES_PER_NS = 100;
export const TOTAL_ROUTES = NAMESPACES * ROUTES_PER_NS;

/** Namespace and host names of route k in namespace j. */
export const nsName = (j: number): string => `ns${String(j).padStart(2, '0')}`;
export const routeHost = (j: number, k: number): string => `r${k}.${nsName(j)}.bench`;

/** Writes the fixture into `dir`: base.yaml (class + Gateway) and one file per namespace. */
export function writeScaleFixture(dir: string, port: number, backendPort: number): void {
  writeObjects(join(dir, 'base.yaml'), [GATEWAY_CLASS, gateway('bench', port)]);
  for (let j = 0; j < NAMESPACES; j++) {
    const ns = nsName(j);
    const objs: Obj[] = [namespace(ns)];
    for (let s = 0; s < SERVICES_PER_NS; s++) objs.push(...service(`svc-${s}`, ns, backendPort));
    for (let k = 0; k < ROUTES_PER_NS; k++) objs.push(httpRoute(`route-${k}`, ns, 'bench', { hostnames: [routeHost(j, k)], backends: [{ name: `svc-${k % SERVICES_PER_NS}` }] }));
    writeObjects(join(dir, `${ns}.yaml`), objs);
  }
}

/** A Gatehouse started on the scale fixture, with how long it took until every route served. */
export interface Scaled {
  readonly gh: GatehouseProc;
  readonly dir: string;
  readonly port: number;
  /** Spawn → admin API answering. */
  readonly adminUpMs: number;
  /** Spawn → the last route answering 200 and attachedRoutes = TOTAL_ROUTES. */
  readonly allServingMs: number;
  /** The first from-scratch translation and its data-plane apply, as the controller logged them (ms). */
  readonly firstTranslation: { readonly translateMs: number; readonly applyMs: number } | undefined;
}

/** Reads the controller's "first translation took X ms, data plane apply Y ms" log line. */
function firstTranslation(output: string): Scaled['firstTranslation'] {
  const m = /first translation took ([\d.]+) ms, data plane apply ([\d.]+) ms/.exec(output);
  return m ? { translateMs: Number(m[1]), applyMs: Number(m[2]) } : undefined;
}

/** Starts Gatehouse on a fresh scale fixture and waits until all routes serve. */
export async function startScaled(name: string, backendPort: number, cpu: string | undefined, log: (s: string) => void): Promise<Scaled> {
  const port = await freePort();
  const dir = configDir(name);
  writeScaleFixture(dir, port, backendPort);
  log(`${name}: ${TOTAL_ROUTES} routes written to ${dir}; starting Gatehouse`);
  const t0 = performance.now();
  const gh = await startGatehouseProc(dir, cpu, `gatehouse-${name}`, 'info');
  const adminUpMs = performance.now() - t0;
  const lastHost = routeHost(NAMESPACES - 1, ROUTES_PER_NS - 1);
  for (;;) {
    if (performance.now() - t0 > 300_000) throw new Error(`${name}: routes not all serving after 300 s\n${gh.proc.output()}`);
    if ((await probe(port, lastHost)) === 200 && (await attachedRoutes(gh.adminUrl, 'default', 'bench').catch(() => undefined)) === TOTAL_ROUTES) break;
    await sleep(20);
  }
  const allServingMs = performance.now() - t0;
  // Gatehouse compacts its heap once the initial load is done (src/runtime/heap.ts), a few hundred ms of
  // one core: measure changes after it, as after any process's start-up.
  for (const end = performance.now() + 5000; !/heap settled after the initial load/.test(gh.proc.output()) && performance.now() < end; ) await sleep(20);
  return { gh, dir, port, adminUpMs, allServingMs, firstTranslation: firstTranslation(gh.proc.output()) };
}

const pollAgent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET through the proxy on a keep-alive connection: the status, or 0 on a connection error. */
export function probe(port: number, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/small', headers: { host }, agent: pollAgent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** Polls `host` back to back until it answers 200: elapsed ms (undefined on timeout) and any answer other than 404/200. */
export async function timeUntil200(port: number, host: string, timeoutMs: number, t0 = performance.now()): Promise<{ ms: number | undefined; errors: number[] }> {
  const errors: number[] = [];
  while (performance.now() - t0 < timeoutMs) {
    const status = await probe(port, host);
    if (status === 200) return { ms: performance.now() - t0, errors };
    if (status !== 404) errors.push(status);
  }
  return { ms: undefined, errors };
}

/** Closes the poller's kept-alive connection (so the harness can exit). */
export function closePoller(): void {
  pollAgent.destroy();
}

/**
 * CPU time (ms) a process has used, summed over its threads: from /proc/PID/task/TID/schedstat, whose first field
 * is nanoseconds on CPU (utime+stime in /proc/PID/stat counts 10 ms ticks, too coarse for a change of a few ms).
 * Falls back to the ticks when schedstat is missing; undefined off Linux.
 */
export function cpuMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended between the listing and the read: its time is gone with it (a few µs at most)
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // no schedstat (kernel without CONFIG_SCHEDSTATS): use the ticks
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return undefined;
  }
}

/** Resident set size and its peak (MiB) of a process, from /proc. */
export function rssMiB(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** p50 / p99 / max of a list of numbers. */
export function quantiles(xs: number[]): { p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN);
  return { p50: at(0.5), p99: at(0.99), max: s.length ? s[s.length - 1] : NaN };
}
