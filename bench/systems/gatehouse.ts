/**
 * Gatehouse as the benchmark runs it: the full standalone stack (`gatehouse run -f DIR --admin ...`) as a
 * child process pinned to the proxy CPU, configured by Gateway API YAML the harness writes. The object
 * builders here are shared by the control-plane scenarios (2-5).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, start, type Proc } from '../lib/procs.ts';
import { freePort, waitFor200 } from '../lib/net.ts';
import { nodeBinary, PROJECT_ROOT } from '../lib/tools.ts';
import type { Cpus, RunningSystem, SystemDef } from './system.ts';
import type { BenchCert } from '../lib/tls.ts';

/** A plain Kubernetes-shaped object. */
export type Obj = Record<string, unknown>;

/** The GatewayClass every bench config uses. */
export const GATEWAY_CLASS: Obj = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'gatehouse' },
  spec: { controllerName: 'gatehouse.dev/gateway-controller' },
};

/** A Gateway on 127.0.0.1:port accepting routes from all namespaces. */
export function gateway(name: string, port: number, ns = 'default'): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace: ns },
    spec: {
      gatewayClassName: 'gatehouse',
      addresses: [{ type: 'IPAddress', value: '127.0.0.1' }],
      listeners: [{ name: 'http', protocol: 'HTTP', port, allowedRoutes: { namespaces: { from: 'All' } } }],
    },
  };
}

/** A Namespace object. */
export function namespace(name: string): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** A Service on port 80 plus the EndpointSlice that points it at 127.0.0.1:backendPort. */
export function service(name: string, ns: string, backendPort: number): Obj[] {
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: backendPort, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    },
  ];
}

/** An HTTPRoute attached to default/<gw>, for `hostnames` (none = all), to the given backends. */
export function httpRoute(name: string, ns: string, gw: string, opts: { hostnames?: string[]; backends: Array<{ name: string; weight?: number }>; filters?: Obj[] }): Obj {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: ns },
    spec: {
      parentRefs: [{ name: gw, namespace: 'default' }],
      ...(opts.hostnames ? { hostnames: opts.hostnames } : {}),
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          ...(opts.filters ? { filters: opts.filters } : {}),
          backendRefs: opts.backends.map((b) => ({ name: b.name, port: 80, ...(b.weight !== undefined ? { weight: b.weight } : {}) })),
        },
      ],
    },
  };
}

/** Writes objects as one multi-document YAML file (JSON documents are YAML). */
export function writeObjects(file: string, objs: Obj[]): void {
  writeFileSync(file, objs.map((o) => JSON.stringify(o)).join('\n---\n') + '\n');
}

/** A running Gatehouse child process. */
export interface GatehouseProc {
  readonly proc: Proc;
  readonly adminUrl: string;
}

/**
 * `--workers N` when BENCH_GATEHOUSE_WORKERS=N is set: every Gatehouse the bench starts then runs its data plane in
 * N worker processes (`gatehouse run --workers N`), all on the proxy CPU(s) like the primary.
 */
export function workersArgs(): string[] {
  const n = process.env.BENCH_GATEHOUSE_WORKERS;
  return n === undefined || n === '' ? [] : ['--workers', n];
}

/**
 * Starts `gatehouse run -f dir` on the proxy CPU; resolves once the admin API answers. Logs at `warn` unless told
 * otherwise (the scale scenarios read the first-translation line, logged at `info`).
 */
export async function startGatehouseProc(dir: string, cpu: string | undefined, name = 'gatehouse', logLevel = 'warn', env?: NodeJS.ProcessEnv): Promise<GatehouseProc> {
  const adminPort = await freePort();
  const nodeArgs: string[] = [];
  if (process.env.BENCH_CPU_PROF) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF);
  // Extra V8/Node flags for investigations (e.g. BENCH_NODE_ARGS=--trace-gc), split on spaces.
  if (process.env.BENCH_NODE_ARGS) nodeArgs.push(...process.env.BENCH_NODE_ARGS.split(' ').filter(Boolean));
  const args = [...nodeArgs, join(PROJECT_ROOT, 'bin', 'gatehouse.js'), 'run', '-f', dir, '--admin', `127.0.0.1:${adminPort}`, '--log-level', process.env.BENCH_LOG_LEVEL ?? logLevel, ...workersArgs()];
  const proc = start(name, nodeBinary(), args, { cpu, env: env && { ...process.env, ...env } });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor200(`${adminUrl}/apis/gateway.networking.k8s.io/v1/gateways`, 60_000).catch((e: Error) => {
    throw new Error(`Gatehouse did not start: ${e.message}\n${proc.output()}`);
  });
  return { proc, adminUrl };
}

/** A fresh config directory under the run's temp dir. */
export function configDir(name: string): string {
  const dir = join(runDir(), name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Scenario 1's variants of Gatehouse: HTTPS (TLS terminated with `tls`), and the fast path turned off. */
export interface GatehouseVariant {
  readonly tls?: BenchCert;
  /** false: GATEHOUSE_FASTPATH=0, every request through node:http (the general path). */
  readonly fastPath?: boolean;
  readonly name?: string;
}

/** Gatehouse for scenario 1: one Gateway (HTTP, or HTTPS with `tls`), one catch-all route to the shared backend. */
export function gatehouseProxy(v: GatehouseVariant = {}): SystemDef {
  const name = v.name ?? 'Gatehouse';
  return {
    name,
    skip: undefined,
    async start(backendPort: number, cpus: Cpus): Promise<RunningSystem> {
      const port = await freePort();
      const dir = configDir(`gatehouse-s1-${name.replace(/\W+/g, '-')}`);
      const gw = gateway('bench', port);
      const objs: Obj[] = [GATEWAY_CLASS, gw, ...service('backend', 'default', backendPort), httpRoute('all', 'default', 'bench', { backends: [{ name: 'backend' }] })];
      if (v.tls !== undefined) {
        (gw.spec as any).listeners = [{ name: 'https', protocol: 'HTTPS', port, tls: { mode: 'Terminate', certificateRefs: [{ name: 'bench-cert' }] }, allowedRoutes: { namespaces: { from: 'All' } } }];
        objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bench-cert', namespace: 'default' }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': v.tls.certPem, 'tls.key': v.tls.keyPem } });
      }
      writeObjects(join(dir, 'bench.yaml'), objs);
      const gh = await startGatehouseProc(dir, cpus.proxy, `gatehouse-${name}`, 'warn', v.fastPath === false ? { GATEHOUSE_FASTPATH: '0' } : undefined);
      const scheme = v.tls !== undefined ? 'https' : 'http';
      await waitFor200(`${scheme}://127.0.0.1:${port}/small`, 20_000).catch((e: Error) => {
        throw new Error(`Gatehouse did not serve the bench route: ${e.message}\n${gh.proc.output()}`);
      });
      return { name, port, procs: [gh.proc] };
    },
  };
}
