import { fileURLToPath } from 'node:url';
import { Store } from '../store/store.ts';
import { Controller } from '../runtime/controller.ts';
import { LoopbackAllocator } from '../runtime/addresses.ts';
import { createLogger, type Logger } from '../runtime/log.ts';
import { watchNotices } from '../runtime/notices.ts';
import { admit } from '../runtime/admit.ts';
import { createTranslator } from '../translator/index.ts';
import { HttpDataPlane } from '../dataplane/index.ts';
import type { DataPlane } from '../dataplane/types.ts';
import { RemoteDataPlane } from '../runtime/workers/remote.ts';
import { reusePortSupported } from '../runtime/workers/reuseport.ts';
import { FileProvider } from '../provider/file/provider.ts';
import { startAdminServer } from '../admin/server.ts';
import { startDemoBackend } from '../demo/backend.ts';
import type { RunOptions } from './main.ts';
import { settleHeap } from '../runtime/heap.ts';

/** The bundled example served when `gatehouse run` is given no -f. */
export const QUICKSTART_DIR = fileURLToPath(new URL('../../examples/quickstart/', import.meta.url));

/** A running standalone Gatehouse: what `gatehouse run` starts, also used by tests and the harness. */
export interface Running {
  store: Store;
  controller: Controller;
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * The data plane: in this process, or with `workers` ≥ 1 in that many worker processes sharing every
 * listener (src/runtime/workers), which keeps translations in this process off the request path.
 */
async function startDataPlane(opts: RunOptions, log: Logger): Promise<DataPlane> {
  const workers = opts.workers ?? 0;
  if (workers === 0) return new HttpDataPlane({ log: (level, msg, fields) => log(level, msg, fields) });
  if (!reusePortSupported()) throw new Error(`--workers needs SO_REUSEPORT load balancing (Linux or FreeBSD); this is ${process.platform}`);
  const dp = await RemoteDataPlane.start({ workers, log, logLevel: opts.logLevel });
  log('info', `data plane running in ${workers} worker process${workers === 1 ? '' : 'es'} (pids ${dp.pids().join(', ')})`);
  return dp;
}

/** Starts the standalone gateway: store, file provider, control loop, data plane, admin API. */
export async function startGatehouse(opts: RunOptions, log: Logger = createLogger(opts.logLevel)): Promise<Running> {
  const [host, portText] = splitHostPort(opts.admin);
  if (!opts.allowRemoteAdmin && !isLoopbackHost(host)) {
    throw new Error(`refusing to serve the admin API on ${host}: it is unauthenticated. Use a loopback address, or pass --allow-remote-admin`);
  }
  const store = new Store();
  const dataplane = await startDataPlane(opts, log);
  try {
    return await startControlPlane(opts, log, store, dataplane, host, portText);
  } catch (err) {
    await dataplane.close(); // worker processes must not outlive a failed start
    throw err;
  }
}

async function startControlPlane(opts: RunOptions, log: Logger, store: Store, dataplane: DataPlane, host: string, portText: string): Promise<Running> {
  const controller = new Controller({
    store,
    dataplane,
    translate: createTranslator(), // incremental: keeps per-route work between translations
    controllerName: opts.controllerName,
    addresses: new LoopbackAllocator(opts.addressPool ?? (process.platform === 'linux' ? '127.10.0.0/24' : '127.0.0.1/32')),
    log: (level, msg) => log(level, msg),
  });
  const stopNotices = watchNotices(store, opts.controllerName, log);
  const cleanups: Array<() => Promise<void> | void> = [stopNotices];

  let files = opts.files;
  if (files.length === 0) {
    files = [QUICKSTART_DIR];
    const demo = await startDemoBackend();
    cleanups.push(() => new Promise<void>((r) => demo.server.close(() => r())));
    publishDemoEndpoints(store, demo.address, demo.port);
    log('info', `no -f given: serving the bundled example (${QUICKSTART_DIR}) with a demo backend on ${demo.address}:${demo.port}`);
  }

  const provider = new FileProvider({ paths: files, store, log: (line: string) => log('warn', line) });
  await provider.start();
  cleanups.push(() => provider.stop());
  settleHeap('major'); // the load's garbage, before the first translation allocates beside it (runtime/heap.ts)

  const admin = await startAdminServer({ store, host, port: Number(portText), admit, log: (s: string) => log('info', s) });
  cleanups.push(() => admin.close());
  log('info', `admin API on ${admin.url} (try: npx gatehouse get gateways -A)`);

  await controller.start();
  cleanups.push(() => controller.stop());
  const settled = settleHeap('compact');
  if (settled) log('info', `heap settled after the initial load: RSS ${settled.rssBeforeMiB.toFixed(0)} → ${settled.rssAfterMiB.toFixed(0)} MiB in ${settled.ms.toFixed(0)} ms`);
  cleanups.push(() => dataplane.close());

  return {
    store,
    controller,
    adminUrl: admin.url,
    async stop() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}

/** `gatehouse run`: starts, then serves until SIGINT/SIGTERM. */
export async function runCommand(opts: RunOptions): Promise<number> {
  const log = createLogger(opts.logLevel);
  const running = await startGatehouse(opts, log);
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log('info', `${sig}: finishing in-flight requests and stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await running.stop();
  return 0;
}

/** Publishes the demo backend as the endpoints of Service default/demo-backend, like an endpoint controller. */
function publishDemoEndpoints(store: Store, address: string, port: number): void {
  store.apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'demo-backend-local', namespace: 'default', labels: { 'kubernetes.io/service-name': 'demo-backend' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
  });
}

function splitHostPort(hp: string): [string, string] {
  const m = hp.match(/^\[?([^\]]*?)\]?:(\d+)$/);
  if (!m) throw new Error(`--admin wants HOST:PORT, got "${hp}"`);
  return [m[1], m[2]];
}

function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
