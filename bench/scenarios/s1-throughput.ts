/**
 * Scenario 1: throughput and latency per core, HTTP/1.1 keep-alive on both sides, small and 64 KiB
 * responses, 1 and 50 connections; every system in front of the same nginx backend, measured in the same
 * run. Then p99 at half of nginx's maximum rate (open loop, fixed rate) for the small/50 case.
 */
import { runLoad, type LoadResult } from '../lib/loadgen.ts';
import { stop } from '../lib/procs.ts';
import { busyPercent } from '../lib/quiet.ts';
import { fmtMs, fmtRate, fmtRatio, mdTable, verdict } from '../lib/table.ts';
import { benchCert } from '../lib/tls.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';
import { gatehouseProxy } from '../systems/gatehouse.ts';
import { haproxyProxy, LARGE_SIZE, nginxProxy, SMALL_BODY, startBackend } from '../systems/native.ts';
import { fastifyProxy, httpProxyPeer, plainNodeProxy, tcpPipe } from '../systems/node.ts';
import type { RunningSystem, SystemDef } from '../systems/system.ts';
import type { BenchContext, ScenarioOutput } from './context.ts';

const NGINX = 'nginx';
const PLAIN = 'node http (plain)';
const GATEHOUSE = 'Gatehouse';
const DIRECT = 'backend direct (ref)';

interface Case {
  readonly label: string;
  readonly path: string;
  readonly connections: number;
}

const CASES: readonly Case[] = [
  { label: `small (${SMALL_BODY.length} B), 1 connection`, path: '/small', connections: 1 },
  { label: `small (${SMALL_BODY.length} B), 50 connections`, path: '/small', connections: 50 },
  { label: `64 KiB (${LARGE_SIZE} B), 1 connection`, path: '/64k', connections: 1 },
  { label: `64 KiB (${LARGE_SIZE} B), 50 connections`, path: '/64k', connections: 50 },
];

/** Every system scenario 1 compares, in table order. */
function systems(ctx: BenchContext): SystemDef[] {
  const aptSkip = `skipped: not installed — ${ctx.aptHint}`;
  return [
    gatehouseProxy(),
    nginxProxy(ctx.tools.nginx.path, aptSkip),
    haproxyProxy(ctx.tools.haproxy.path, aptSkip),
    plainNodeProxy(),
    fastifyProxy(ctx.nodePeersSkip),
    httpProxyPeer(ctx.nodePeersSkip),
    tcpPipe(),
  ];
}

/** Runs scenario 1 and returns its markdown. */
export async function scenario1(ctx: BenchContext): Promise<ScenarioOutput> {
  const title = 'Scenario 1: throughput and latency per core (HTTP/1.1 keep-alive)';
  if (!ctx.tools.wrk.path || !ctx.tools.nginx.path) {
    return { title, markdown: `scenario 1 skipped: it needs wrk (load) and nginx (the shared backend). Install them with:\n\n    ${ctx.aptHint}\n` };
  }
  const busyBefore = await busyPercent(); // before anything of ours runs: other load on the machine
  const backend = await startBackend(ctx.tools.nginx.path, ctx.cpus.load);
  const running: RunningSystem[] = [{ name: DIRECT, port: backend.port, procs: [] }];
  const notes: string[] = [];
  try {
    for (const def of systems(ctx)) {
      if (def.skip) {
        notes.push(`- ${def.name}: ${def.skip}`);
        continue;
      }
      ctx.log(`scenario 1: starting ${def.name}`);
      try {
        running.push(await def.start(backend.port, ctx.cpus));
      } catch (e) {
        notes.push(`- ${def.name}: failed to start: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 400)}`);
      }
    }
    const sections: string[] = [];
    const byCase = await runCases(ctx, running, CASES, 'http', sections, notes);
    const small50 = byCase.get(CASES[1])!;
    const half = await halfRate(ctx, running, small50);
    sections.push(half.markdown);
    sections.push(targets(small50, half.results));
    const busyAfter = await busyPercent(); // our proxies are idle now
    for (const sys of running.splice(1)) for (const p of sys.procs) await stop(p);
    sections.push(await https(ctx, backend.port, running, notes));
    const setup = setupText(ctx, busyBefore, busyAfter);
    return { title, markdown: [setup, ...sections, notes.length ? `Notes:\n\n${notes.join('\n')}` : ''].join('\n\n') };
  } finally {
    for (const sys of running) for (const p of sys.procs) await stop(p);
    await stop(backend.proc);
  }
}

/** Runs every case against every running system (wrk), one table per case appended to `sections`. */
async function runCases(ctx: BenchContext, running: readonly RunningSystem[], cases: readonly Case[], scheme: 'http' | 'https', sections: string[], notes: string[]): Promise<Map<Case, Map<string, WrkResult>>> {
  const byCase = new Map<Case, Map<string, WrkResult>>();
  for (const c of cases) {
    const results = new Map<string, WrkResult>();
    for (const sys of running) {
      // The backend-direct row stays plain HTTP: it is the rig's ceiling, not a TLS terminator.
      const url = `${sys.name === DIRECT ? 'http' : scheme}://127.0.0.1:${sys.port}${c.path}`;
      ctx.log(`scenario 1: ${c.label}: ${sys.name}`);
      try {
        if (ctx.warmupS > 0) await runWrk(ctx.tools.wrk.path!, url, c.connections, ctx.warmupS, ctx.cpus.load);
        results.set(sys.name, await runWrk(ctx.tools.wrk.path!, url, c.connections, ctx.durationS, ctx.cpus.load));
      } catch (e) {
        notes.push(`- ${sys.name}, ${c.label}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    byCase.set(c, results);
    sections.push(`#### ${c.label}\n\n${caseTable(results)}`);
  }
  return byCase;
}

const HTTPS_CASES: readonly Case[] = [
  { label: `HTTPS: small (${SMALL_BODY.length} B), 50 connections`, path: '/small', connections: 50 },
  { label: `HTTPS: 64 KiB (${LARGE_SIZE} B), 50 connections`, path: '/64k', connections: 50 },
];

/**
 * TLS termination (HTTPS in front, HTTP to the backend) by Gatehouse, Gatehouse with its fast path off (all
 * through node:http), nginx, HAProxy and the plain Node proxy on node:https, one self-signed ECDSA certificate.
 */
async function https(ctx: BenchContext, backendPort: number, direct: readonly RunningSystem[], notes: string[]): Promise<string> {
  const tls = await benchCert();
  const aptSkip = `skipped: not installed — ${ctx.aptHint}`;
  const defs = [
    gatehouseProxy({ tls }),
    gatehouseProxy({ tls, fastPath: false, name: 'Gatehouse, fast path off' }),
    nginxProxy(ctx.tools.nginx.path, aptSkip, tls),
    haproxyProxy(ctx.tools.haproxy.path, aptSkip, tls),
    plainNodeProxy(tls),
  ];
  const running: RunningSystem[] = [...direct];
  const sections: string[] = [];
  try {
    for (const def of defs) {
      if (def.skip) continue;
      ctx.log(`scenario 1: starting ${def.name} (HTTPS)`);
      try {
        running.push(await def.start(backendPort, ctx.cpus));
      } catch (e) {
        notes.push(`- ${def.name} (HTTPS): failed to start: ${(e as Error).message.replace(/\s+/g, ' ').slice(0, 400)}`);
      }
    }
    await runCases(ctx, running, HTTPS_CASES, 'https', sections, notes);
  } finally {
    for (const sys of running.slice(direct.length)) for (const p of sys.procs) await stop(p);
  }
  const head = '#### HTTPS (TLS terminated by the proxy, HTTP/1.1 keep-alive to the backend)\n\nSame rig, one self-signed ECDSA P-256 certificate, TLS 1.3; wrk does the client side of TLS on the load CPU. "node http (plain)" is the same proxy on node:https; "Gatehouse, fast path off" is Gatehouse with GATEHOUSE_FASTPATH=0 (every request through node:http), to show what the fast path does over TLS.';
  return [head, ...sections].join('\n\n');
}

function caseTable(results: Map<string, WrkResult>): string {
  const nginx = results.get(NGINX)?.rps;
  const plain = results.get(PLAIN)?.rps;
  const rows = [...results].map(([name, r]) => [
    name === GATEHOUSE ? `**${name}**` : name,
    fmtRate(r.rps),
    fmtMs(r.p50Ms),
    fmtMs(r.p99Ms),
    fmtRatio(nginx ? r.rps / nginx : undefined),
    fmtRatio(plain ? r.rps / plain : undefined),
    String(r.errors),
  ]);
  return mdTable(['system', 'req/s', 'p50 ms', 'p99 ms', 'vs nginx', 'vs node http', 'errors'], rows);
}

/** Open-loop load at half of nginx's small/50 maximum rate against every proxy; the p99s are compared. */
async function halfRate(ctx: BenchContext, running: RunningSystem[], small50: Map<string, WrkResult>): Promise<{ markdown: string; results: Map<string, LoadResult> }> {
  const results = new Map<string, LoadResult>();
  const nginxMax = small50.get(NGINX)?.rps;
  const head = '#### p99 at half of nginx\'s maximum rate (small, 50 connections, fixed-rate open loop)';
  if (nginxMax === undefined) return { markdown: `${head}\n\nnot measured: needs the nginx proxy row.`, results };
  const rate = Math.round(nginxMax / 2);
  for (const sys of running) {
    ctx.log(`scenario 1: fixed rate ${rate}/s: ${sys.name}`);
    const spec = { host: '127.0.0.1', port: sys.port, path: '/small', connections: 50, rate, durationMs: ctx.durationS * 1000 };
    try {
      if (ctx.warmupS > 0) await runLoad({ ...spec, durationMs: ctx.warmupS * 1000 }, ctx.cpus.load);
      results.set(sys.name, await runLoad(spec, ctx.cpus.load));
    } catch (e) {
      ctx.log(`  failed: ${(e as Error).message}`);
    }
  }
  const nginxP99 = results.get(NGINX)?.p99Ms;
  const rows = [...results].map(([name, r]) => {
    const bad = Object.values(r.errors).reduce((a, b) => a + b, 0) + Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((a, [, n]) => a + n, 0);
    return [name === GATEHOUSE ? `**${name}**` : name, fmtRate(r.rps), fmtMs(r.p50Ms), fmtMs(r.p99Ms), fmtMs(r.maxMs), fmtRatio(nginxP99 ? r.p99Ms / nginxP99 : undefined), String(bad)];
  });
  const direct = results.get(DIRECT);
  const rigOk = direct !== undefined && direct.rps >= 0.97 * rate && nginxP99 !== undefined && direct.p99Ms < 0.5 * nginxP99;
  const rigNote = rigOk
    ? ''
    : ` **The rig itself cannot hold this rate cleanly** (the "backend direct" row, no proxy, is not well under nginx's p99 or misses the rate): the load generator (one Node process, sharing its core with the backend) is the limit, so the p99 comparison below is not valid on this machine.`;
  const text = `${head}\n\nTarget rate ${fmtRate(rate)} req/s (nginx max ${fmtRate(nginxMax)} / 2). Latency counts from when a request was due, so queueing behind a slow answer counts (no coordinated omission). An achieved rate well under the target means the system (or the generator) could not keep up.${rigNote}\n\n`;
  if (!rigOk) results.delete(NGINX); // no verdict from an invalid measurement
  return { markdown: text + mdTable(['system', 'achieved req/s', 'p50 ms', 'p99 ms', 'max ms', 'p99 vs nginx', 'errors'], rows), results };
}

function targets(small50: Map<string, WrkResult>, half: Map<string, LoadResult>): string {
  const gh = small50.get(GATEHOUSE)?.rps;
  const nginx = small50.get(NGINX)?.rps;
  const plain = small50.get(PLAIN)?.rps;
  const ghP99 = half.get(GATEHOUSE)?.p99Ms;
  const ngP99 = half.get(NGINX)?.p99Ms;
  const r1 = gh && nginx ? gh / nginx : undefined;
  const r2 = gh && plain ? gh / plain : undefined;
  const r3 = ghP99 !== undefined && ngP99 ? ghP99 / ngP99 : undefined;
  return `#### Targets (issue 6)\n\n${mdTable(
    ['target', 'measured', 'verdict'],
    [
      ['small/50 conns: Gatehouse ≥ 0.6x nginx', fmtRatio(r1), verdict(r1 === undefined ? undefined : r1 >= 0.6)],
      ['small/50 conns: Gatehouse ≥ 2.5x plain Node proxy', fmtRatio(r2), verdict(r2 === undefined ? undefined : r2 >= 2.5)],
      ["p99 at half nginx's max rate ≤ 2x nginx's p99", fmtRatio(r3), verdict(r3 === undefined ? undefined : r3 <= 2)],
    ],
  )}`;
}

function setupText(ctx: BenchContext, busyBefore: number | undefined, busyAfter: number | undefined): string {
  const busy = (n: number | undefined) => (n === undefined ? 'n/a' : `${n.toFixed(0)}%`);
  const quiet = busyBefore === undefined ? '' : `\nMachine CPU busy outside the bench: ${busy(busyBefore)} before, ${busy(busyAfter)} after (idle proxies)${(busyBefore ?? 0) > 10 || (busyAfter ?? 0) > 10 ? ' — **the machine was not quiet; these numbers are skewed**' : ''}.`;
  const pin = ctx.cpus.proxy !== undefined ? `proxy under test pinned to CPU ${ctx.cpus.proxy}; wrk and the backend pinned to CPU ${ctx.cpus.load} (taskset)` : 'no CPU pinning (taskset missing or fewer than 2 CPUs): numbers are less comparable';
  return [
    `Setup: ${pin}. Each proxy has one core: nginx worker_processes 1, HAProxy nbthread 1, Node a single process.`,
    `Backend for everyone: nginx (1 worker) returning /small from memory and /64k from a file, keep-alive; the "backend direct" row is wrk against it with no proxy, i.e. the ceiling of this rig.`,
    `Load: wrk -t1, ${ctx.durationS} s per cell after ${ctx.warmupS} s warm-up. Ratios are req/s against nginx and against the plain Node http proxy in the same table.`,
  ].join('\n') + quiet;
}
