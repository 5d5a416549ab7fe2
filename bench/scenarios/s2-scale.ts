/**
 * Scenario 2: route scale. Gatehouse started on 5,000 HTTPRoutes across 50 namespaces and 1,000 Services:
 * time until every route serves, RSS of the process (control plane and proxy are one process in standalone
 * mode), and the CPU one single-route change costs, read from /proc around the change.
 */
import { mergePatch } from '../lib/admin.ts';
import { sleep } from '../lib/net.ts';
import { stop } from '../lib/procs.ts';
import { closePoller, cpuMs, nsName, probe, quantiles, routeHost, rssMiB, startScaled, TOTAL_ROUTES, type Scaled } from '../lib/scale.ts';
import { fmtMs, mdTable, verdict } from '../lib/table.ts';
import { httpRoute } from '../systems/gatehouse.ts';
import { startBackend } from '../systems/native.ts';
import type { BenchContext, ScenarioOutput } from './context.ts';

const TITLE = `Scenario 2: route scale (${TOTAL_ROUTES.toLocaleString('en-US')} HTTPRoutes, 50 namespaces, 1,000 Services)`;
const CHANGES = 20;
/**
 * Changes made before the measured ones, as scenario 1 loads before it measures: the first changes after
 * a start run the change path's code for the first time, and V8 compiles it then (15-20 ms of CPU each on
 * one core). Their cost is reported on its own row.
 */
export const WARMUP_CHANGES = 3;
/** Time each change is given to finish before CPU is read again (no polling meanwhile: polls cost CPU too). */
const SETTLE_MS = 1000;

/** Runs scenario 2. */
export async function scenario2(ctx: BenchContext): Promise<ScenarioOutput> {
  if (!ctx.tools.nginx.path) return { title: TITLE, markdown: `scenario 2 skipped: needs nginx for the backend. Install: ${ctx.aptHint}` };
  const backend = await startBackend(ctx.tools.nginx.path, ctx.cpus.load, 's2-backend');
  let scaled: Awaited<ReturnType<typeof startScaled>> | undefined;
  try {
    scaled = await startScaled('s2', backend.port, ctx.cpus.proxy, ctx.log);
    const pid = scaled.gh.proc.child.pid!;
    await sleep(1000);
    const mem = rssMiB(pid);
    // Idle baseline: what the process burns doing nothing for SETTLE_MS (timers, GC).
    const idle: number[] = [];
    for (let i = 0; i < 3; i++) {
      const c0 = cpuMs(pid);
      await sleep(SETTLE_MS);
      const c1 = cpuMs(pid);
      if (c0 !== undefined && c1 !== undefined) idle.push(c1 - c0);
    }
    const idleMs = idle.length ? idle.reduce((a, b) => a + b, 0) / idle.length : 0;
    ctx.log(`scenario 2: ${WARMUP_CHANGES} + ${CHANGES} single-route changes`);
    const perChange: number[] = [];
    const warmup: number[] = [];
    let unseen = 0;
    for (let i = 1 - WARMUP_CHANGES; i <= CHANGES; i++) {
      const n = i + WARMUP_CHANGES; // 1.., so warm-up and measured changes touch different routes
      const route = httpRoute('route-0', nsName(n % 50), 'bench', { hostnames: [routeHost(n % 50, 0)], backends: [{ name: `svc-${n % 20}` }] });
      const c0 = cpuMs(pid);
      await mergePatch(scaled.gh.adminUrl, route, { spec: { rules: [{ backendRefs: [{ name: `svc-${(n + 1) % 20}`, port: 80 }] }] } });
      await sleep(SETTLE_MS);
      const c1 = cpuMs(pid);
      if (c0 !== undefined && c1 !== undefined) (i > 0 ? perChange : warmup).push(Math.max(0, c1 - c0 - idleMs));
      if ((await probe(scaled.port, routeHost(n % 50, 0))) !== 200) unseen++;
    }
    const memAfter = rssMiB(pid);
    const q = quantiles(perChange);
    const mean = perChange.length ? perChange.reduce((a, b) => a + b, 0) / perChange.length : NaN;
    const rows = [
      ['spawn → admin API up', `${fmtMs(scaled.adminUpMs)} ms`, ''],
      ['spawn → all routes serving (process start, load files, admit, first translation, apply)', `${fmtMs(scaled.allServingMs)} ms`, ''],
      firstTranslationRow(scaled.firstTranslation),
      ['RSS after load (peak during the load)', mem ? `${sizes(mem.rss)} (peak ${sizes(mem.peak)})` : 'n/a (no /proc)', mem ? `${verdict(mem.rss * MIB < 150e6)} (target < 150 MB, control plane + proxy)` : ''],
      ['RSS after the changes', memAfter ? sizes(memAfter.rss) : 'n/a', ''],
      [`CPU of the first ${warmup.length} changes after start (JIT warm-up, not in the row below)`, `${warmup.map(fmtMs).join(', ')} ms`, ''],
      [`CPU per single-route change (mean / p50 / max of ${perChange.length})`, `${fmtMs(mean)} / ${fmtMs(q.p50)} / ${fmtMs(q.max)} ms`, `${verdict(mean < 5)} (target < 5 ms, mean)`],
      ['idle CPU per second (subtracted)', `${fmtMs(idleMs)} ms`, ''],
      ['changed routes not serving afterwards', String(unseen), ''],
    ];
    const setup = `One Gatehouse process (control plane + proxy), pinned to the proxy CPU. CPU is the sum of the process's threads' time on CPU from /proc/PID/task/*/schedstat (nanoseconds; GC and libuv threads included), taken around a merge-patch through the admin API plus ${SETTLE_MS} ms for the reconcile, minus the idle baseline, after ${WARMUP_CHANGES} warm-up changes. It covers the admin request, admission, translation, status writes and the data-plane swap.`;
    return { title: TITLE, markdown: `${setup}\n\n${mdTable(['measure', 'Gatehouse', 'target'], rows)}` };
  } finally {
    closePoller();
    if (scaled) await stop(scaled.gh.proc);
    await stop(backend.proc);
  }
}

const MIB = 2 ** 20;

/** A size given in MiB, also in MB (the target is stated in MB: 150 MB is 143 MiB). */
function sizes(mib: number): string {
  return `${mib.toFixed(0)} MiB = ${((mib * MIB) / 1e6).toFixed(0)} MB`;
}

/** The target's own number: the first from-scratch translation plus its apply, from the controller's log line. */
function firstTranslationRow(t: Scaled['firstTranslation']): string[] {
  const name = 'first full translation + data-plane apply (from the log)';
  if (t === undefined) return [name, 'not logged', 'not measured'];
  const total = t.translateMs + t.applyMs;
  return [name, `${fmtMs(total)} ms (${fmtMs(t.translateMs)} + ${fmtMs(t.applyMs)})`, `${verdict(total < 1000)} (target < 1 s)`];
}
