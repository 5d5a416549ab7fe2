/**
 * Scenario 3: route propagation at scale. With the 5,000-route fixture serving, new routes are created one
 * by one (100 through the admin API, 100 through a file write) and the proxy is polled back to back until
 * the new host answers 200. Any answer other than 404 (not yet routed) or 200 counts as an error.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from '../lib/admin.ts';
import { runDir, stop } from '../lib/procs.ts';
import { closePoller, quantiles, startScaled, TOTAL_ROUTES, timeUntil200 } from '../lib/scale.ts';
import { fmtMs, mdTable, verdict } from '../lib/table.ts';
import { httpRoute } from '../systems/gatehouse.ts';
import { startBackend } from '../systems/native.ts';
import type { BenchContext, ScenarioOutput } from './context.ts';

const TITLE = `Scenario 3: route propagation with ${TOTAL_ROUTES.toLocaleString('en-US')} routes in place`;
const NEW_ROUTES = 100;
/** Routes created through each way before the measured ones (JIT warm-up, as in scenario 2); reported apart. */
const WARMUP_ROUTES = 3;
const TIMEOUT_MS = 10_000;

interface Way {
  readonly name: string;
  /** Creates route i; resolves once the request/write has been issued. */
  add(i: number): Promise<void>;
}

/** Runs scenario 3. */
export async function scenario3(ctx: BenchContext): Promise<ScenarioOutput> {
  if (!ctx.tools.nginx.path) return { title: TITLE, markdown: `scenario 3 skipped: needs nginx for the backend. Install: ${ctx.aptHint}` };
  const backend = await startBackend(ctx.tools.nginx.path, ctx.cpus.load, 's3-backend');
  let gh: Awaited<ReturnType<typeof startScaled>> | undefined;
  try {
    gh = await startScaled('s3', backend.port, ctx.cpus.proxy, ctx.log);
    const scaled = gh;
    ctx.log(`scenario 3: all ${TOTAL_ROUTES} routes serving after ${Math.round(scaled.allServingMs)} ms`);
    const ways: Way[] = [
      {
        name: 'admin API (POST)',
        add: async (i) => {
          await create(scaled.gh.adminUrl, httpRoute(`new-api-${i}`, 'ns00', 'bench', { hostnames: [`new-api-${i}.bench`], backends: [{ name: 'svc-0' }] }));
        },
      },
      {
        name: 'file write (new file)',
        add: async (i) => {
          // Written beside the config dir, then renamed in: the provider never sees a half-written file.
          const tmp = join(runDir(), `new-file-${i}.yaml.tmp`);
          const route = httpRoute(`new-file-${i}`, 'ns01', 'bench', { hostnames: [`new-file-${i}.bench`], backends: [{ name: 'svc-1' }] });
          writeFileSync(tmp, JSON.stringify(route) + '\n');
          renameSync(tmp, join(scaled.dir, `new-file-${i}.yaml`));
        },
      },
    ];
    const rows: string[][] = [];
    for (const way of ways) {
      ctx.log(`scenario 3: ${NEW_ROUTES} routes through ${way.name}`);
      const times: number[] = [];
      let errors = 0;
      const codes = new Map<number, number>();
      let timeouts = 0;
      const hostOf = (i: number) => (way.name.startsWith('admin') ? `new-api-${i}.bench` : `new-file-${i}.bench`);
      const warm: string[] = [];
      for (let i = NEW_ROUTES; i < NEW_ROUTES + WARMUP_ROUTES; i++) {
        const t0 = performance.now();
        await way.add(i);
        const r = await timeUntil200(scaled.port, hostOf(i), TIMEOUT_MS, t0);
        warm.push(r.ms === undefined ? 'timeout' : fmtMs(r.ms));
      }
      for (let i = 0; i < NEW_ROUTES; i++) {
        const t0 = performance.now();
        await way.add(i);
        const r = await timeUntil200(scaled.port, hostOf(i), TIMEOUT_MS, t0);
        errors += r.errors.length;
        for (const c of r.errors) codes.set(c, (codes.get(c) ?? 0) + 1);
        if (r.ms === undefined) timeouts++;
        else times.push(r.ms);
      }
      const q = quantiles(times);
      rows.push([way.name, warm.join(', '), `${times.length}/${NEW_ROUTES}`, fmtMs(q.p50), fmtMs(q.p99), fmtMs(q.max), errors ? `${errors} (${[...codes].map(([c, n]) => `${c === 0 ? 'conn error' : c}×${n}`).join(', ')})` : '0', String(timeouts), verdict(times.length === NEW_ROUTES ? q.p99 < 10 : false)]);
    }
    const setup = `Gatehouse serving the scale fixture (${TOTAL_ROUTES} HTTPRoutes, 50 namespaces, 1,000 Services); all routes served ${fmtMs(scaled.allServingMs)} ms after spawn. Each new route is timed from just before its POST / file rename until the first 200 through the proxy, polled back to back on a keep-alive connection. Errors = answers other than 404/200 while waiting. Each way first creates ${WARMUP_ROUTES} routes that are not counted (V8 compiles the path then), timed in their own column.`;
    return { title: TITLE, markdown: `${setup}\n\n${mdTable(['way', `first ${WARMUP_ROUTES} after start (warm-up) ms`, 'served', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'timeouts (10 s)', 'p99 < 10 ms'], rows)}` };
  } finally {
    closePoller();
    if (gh) await stop(gh.gh.proc);
    await stop(backend.proc);
  }
}
