/**
 * Scenario 5: attached-routes status. 1,000 HTTPRoutes appear at once (one file renamed into the watched
 * directory), spread over 10 Gateways; the time until every Gateway's attachedRoutes is right, and how many
 * status writes that took (counted as MODIFIED events on admin-API watches of Gateways and HTTPRoutes).
 */
import { renameSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { getJson } from '../lib/admin.ts';
import { freePort, sleep } from '../lib/net.ts';
import { runDir, stop } from '../lib/procs.ts';
import { fmtMs, mdTable, verdict } from '../lib/table.ts';
import { configDir, GATEWAY_CLASS, gateway, httpRoute, service, startGatehouseProc, writeObjects, type Obj } from '../systems/gatehouse.ts';
import type { BenchContext, ScenarioOutput } from './context.ts';

const TITLE = 'Scenario 5: attached-routes status (1,000 routes created at once)';
const GATEWAYS = 10;
const ROUTES = 1000;
const TIMEOUT_MS = 60_000;

/** Counts MODIFIED events on a watch stream from the moment `counting` is set. */
class WatchCounter {
  modified = 0;
  counting = false;
  private readonly req: ClientRequest;
  constructor(url: string) {
    let buf = '';
    this.req = request(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (this.counting && line.includes('"type":"MODIFIED"')) this.modified++;
        }
      });
      res.on('error', () => undefined);
    });
    this.req.on('error', () => undefined);
    this.req.end();
  }
  close(): void {
    this.req.destroy();
  }
}

/** Runs scenario 5. */
export async function scenario5(ctx: BenchContext): Promise<ScenarioOutput> {
  const dir = configDir('s5');
  const ports: number[] = [];
  for (let g = 0; g < GATEWAYS; g++) ports.push(await freePort());
  // The routes never receive traffic here, so the Service needs no live backend.
  writeObjects(join(dir, 'base.yaml'), [GATEWAY_CLASS, ...ports.map((p, g) => gateway(`gw-${g}`, p)), ...service('svc', 'default', 9)]);
  const gh = await startGatehouseProc(dir, ctx.cpus.proxy, 'gatehouse-s5');
  const gws = new WatchCounter(`${gh.adminUrl}/apis/gateway.networking.k8s.io/v1/gateways?watch=true`);
  const routesWatch = new WatchCounter(`${gh.adminUrl}/apis/gateway.networking.k8s.io/v1/httproutes?watch=true`);
  try {
    await sleep(1000); // initial reconcile and status writes settle; watches connected
    const routes: Obj[] = [];
    for (let i = 0; i < ROUTES; i++) routes.push(httpRoute(`r-${i}`, 'default', `gw-${i % GATEWAYS}`, { hostnames: [`r${i}.s5.bench`], backends: [{ name: 'svc' }] }));
    const tmp = join(runDir(), 's5-routes.yaml.tmp');
    writeObjects(tmp, routes);
    gws.counting = true;
    routesWatch.counting = true;
    const t0 = performance.now();
    renameSync(tmp, join(dir, 'routes.yaml'));
    let rightAt: number | undefined;
    let polls = 0;
    while (performance.now() - t0 < TIMEOUT_MS) {
      polls++;
      const list = await getJson(gh.adminUrl, '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways');
      const items = (list.items ?? []) as Array<{ status?: { listeners?: Array<{ attachedRoutes?: number }> } }>;
      const right = items.length === GATEWAYS && items.every((gw) => gw.status?.listeners?.[0]?.attachedRoutes === ROUTES / GATEWAYS);
      if (right) {
        rightAt = performance.now() - t0;
        break;
      }
      await sleep(5);
    }
    await sleep(2000); // late writes still count
    const rows = [[
      '**Gatehouse**',
      rightAt === undefined ? `not right within ${TIMEOUT_MS / 1000} s` : `${fmtMs(rightAt)} ms`,
      `${gws.modified} (minimum ${GATEWAYS})`,
      `${routesWatch.modified} (minimum ${ROUTES})`,
      verdict(rightAt !== undefined && rightAt < 1000),
    ]];
    const setup = `${GATEWAYS} Gateways, ${ROUTES} HTTPRoutes (${ROUTES / GATEWAYS} per Gateway) written as one file renamed into the watched directory. Time from the rename until a list of Gateways shows every attachedRoutes right (polled every ~5 ms, ${polls} polls). Status writes = MODIFIED watch events from the rename until 2 s after; with batching, one per Gateway and one per route is the floor.`;
    return { title: TITLE, markdown: `${setup}\n\n${mdTable(['system', 'attachedRoutes right after', 'Gateway status writes', 'HTTPRoute status writes', 'right < 1 s'], rows)}` };
  } finally {
    gws.close();
    routesWatch.close();
    await stop(gh.proc);
  }
}
