/**
 * Scenario 4: route changes under load. Steady fixed-rate traffic on one route while the route is modified
 * 20 times through the admin API (backend switch, weight change, filter change, in turn). Every non-2xx
 * answer and every connection error counts. Each change also sets a revision response header, so the
 * harness can see when the proxy serves it ("visible after").
 */
import { attachedRoutes, create, mergePatch } from '../lib/admin.ts';
import { runLoad, type LoadResult } from '../lib/loadgen.ts';
import { httpCall, sleep, waitFor200 } from '../lib/net.ts';
import { stop } from '../lib/procs.ts';
import { fmtMs, fmtRate, mdTable, verdict } from '../lib/table.ts';
import { configDir, GATEWAY_CLASS, gateway, httpRoute, service, startGatehouseProc, writeObjects, type Obj } from '../systems/gatehouse.ts';
import { startBackend } from '../systems/native.ts';
import { freePort } from '../lib/net.ts';
import { join } from 'node:path';
import type { BenchContext, ScenarioOutput } from './context.ts';

const TITLE = 'Scenario 4: route changes under load';
const CHANGES = 20;
const RATE = 2000;
const CONNECTIONS = 20;
const HOST = 'live.bench';

/** The rule's filters for change `rev`: the revision header always, plus a toggled extra filter. */
function filters(rev: number, extra: boolean): Obj[] {
  const set = [{ name: 'x-bench-rev', value: String(rev) }];
  const out: Obj[] = [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { set } }];
  if (extra) out.push({ type: 'RequestHeaderModifier', requestHeaderModifier: { add: [{ name: 'x-bench-extra', value: String(rev) }] } });
  return out;
}

/** Change number `rev` (1-based): cycles backend switch → weight change → filter change. */
function change(rev: number): { kind: string; backends: Array<{ name: string; weight?: number }>; extra: boolean } {
  const round = Math.floor((rev - 1) / 3);
  switch ((rev - 1) % 3) {
    case 0:
      return { kind: 'backend switch', backends: [{ name: round % 2 === 0 ? 'svc-b' : 'svc-a' }], extra: false };
    case 1:
      return { kind: 'weight change', backends: [{ name: 'svc-a', weight: round % 2 === 0 ? 80 : 20 }, { name: 'svc-b', weight: round % 2 === 0 ? 20 : 80 }], extra: false };
    default:
      return { kind: 'filter change', backends: [{ name: 'svc-a' }, { name: 'svc-b' }], extra: round % 2 === 0 };
  }
}

/** Polls the proxy until it answers with revision `rev`; the time it took, or undefined on timeout. */
async function waitForRevision(port: number, rev: number, timeoutMs = 3000): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const r = await httpCall(`http://127.0.0.1:${port}/small`, { host: HOST, timeoutMs: 1000 });
    if (r.headers['x-bench-rev'] === String(rev)) return performance.now() - t0;
    await sleep(1);
  }
  return undefined;
}

/** Runs scenario 4. */
export async function scenario4(ctx: BenchContext): Promise<ScenarioOutput> {
  if (!ctx.tools.nginx.path) return { title: TITLE, markdown: `scenario 4 skipped: needs nginx for the backends. Install: ${ctx.aptHint}` };
  const a = await startBackend(ctx.tools.nginx.path, ctx.cpus.load, 's4-backend-a', 'backend A\n');
  const b = await startBackend(ctx.tools.nginx.path, ctx.cpus.load, 's4-backend-b', 'backend B\n');
  const port = await freePort();
  const dir = configDir('s4');
  writeObjects(join(dir, 'base.yaml'), [GATEWAY_CLASS, gateway('bench', port), ...service('svc-a', 'default', a.port), ...service('svc-b', 'default', b.port)]);
  const gh = await startGatehouseProc(dir, ctx.cpus.proxy, 'gatehouse-s4');
  try {
    const route = httpRoute('live', 'default', 'bench', { hostnames: [HOST], backends: [{ name: 'svc-a' }], filters: filters(0, false) });
    await create(gh.adminUrl, route);
    await waitFor200(`http://127.0.0.1:${port}/small`, 10_000, HOST);
    const durationMs = Math.max(ctx.durationS, 8) * 1000;
    ctx.log(`scenario 4: ${RATE} req/s on ${CONNECTIONS} connections for ${durationMs / 1000} s, ${CHANGES} route changes`);
    const load = runLoad({ host: '127.0.0.1', port, hostHeader: HOST, path: '/small', connections: CONNECTIONS, rate: RATE, durationMs }, ctx.cpus.load);
    const spacing = (durationMs - 2000) / CHANGES;
    await sleep(1000);
    const rows: string[][] = [];
    const visible: number[] = [];
    for (let rev = 1; rev <= CHANGES; rev++) {
      const started = performance.now();
      const c = change(rev);
      await mergePatch(gh.adminUrl, route, { spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], filters: filters(rev, c.extra), backendRefs: c.backends.map((x) => ({ ...x, port: 80 })) }] } });
      const seen = await waitForRevision(port, rev);
      if (seen !== undefined) visible.push(seen);
      rows.push([String(rev), c.kind, c.backends.map((x) => `${x.name}${x.weight !== undefined ? `:${x.weight}` : ''}`).join(' '), seen === undefined ? 'NOT seen in 3 s' : fmtMs(seen)]);
      await sleep(Math.max(0, spacing - (performance.now() - started)));
    }
    const result = await load;
    const attached = await attachedRoutes(gh.adminUrl, 'default', 'bench');
    return { title: TITLE, markdown: report(result, rows, visible, attached) };
  } finally {
    await stop(gh.proc);
    await stop(a.proc);
    await stop(b.proc);
  }
}

function report(r: LoadResult, rows: string[][], visible: number[], attached: number | undefined): string {
  const non2xx = Object.entries(r.statuses).filter(([s]) => !s.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  const connErrors = Object.values(r.errors).reduce((n, c) => n + c, 0);
  const sorted = [...visible].sort((x, y) => x - y);
  const summary = mdTable(
    ['system', 'requests', 'achieved req/s', 'non-2xx', 'connection errors', 'p99 ms', 'changes visible', 'visible after p50 / max ms', 'zero errors'],
    [[
      '**Gatehouse**',
      String(r.completed),
      fmtRate(r.rps),
      `${non2xx}${non2xx ? ` (${JSON.stringify(r.statuses)})` : ''}`,
      `${connErrors}${connErrors ? ` (${JSON.stringify(r.errors)})` : ''}`,
      fmtMs(r.p99Ms),
      `${visible.length}/${rows.length}`,
      sorted.length ? `${fmtMs(sorted[Math.floor(sorted.length / 2)])} / ${fmtMs(sorted[sorted.length - 1])}` : 'n/a',
      verdict(non2xx === 0 && connErrors === 0),
    ]],
  );
  const setup = `Fixed-rate load ${RATE} req/s over ${CONNECTIONS} keep-alive connections on one route (Host ${HOST}); ${rows.length} merge-patches of the route through the admin API, spaced evenly. "Visible after" is from the PATCH being sent until a fresh connection sees the new revision header (it includes the controller's hold-off). attachedRoutes at the end: ${attached ?? 'n/a'}.`;
  return `${setup}\n\n${summary}\n\n<details><summary>changes</summary>\n\n${mdTable(['#', 'kind', 'backends', 'visible after ms'], rows)}\n\n</details>`;
}
