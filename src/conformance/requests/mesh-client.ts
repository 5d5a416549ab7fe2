/**
 * The mesh echo client as a library: what `client <url> [--method=M] [-H Name:value]... [--count=N]`
 * does when the suite execs it inside a mesh pod (echo-contract §6). Every connection leaves from
 * the pod's own loopback address (localAddress = pod IP), so the implementation sees the pod as the
 * source exactly as a sidecar-less mesh would.
 *
 * Design choice: the library returns what an exec returns — stdout text, stderr text and an exit
 * code — and the ops parse stdout with ./mesh-parse.ts. That keeps the exec boundary the suite
 * relies on (argv in, text out) and tests the parser on every request.
 *
 * Name resolution (standalone mode has no cluster DNS): an IP literal is used as is; otherwise the
 * host is read as a Service name the way the pod's DNS search path would (`name`,
 * `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`) and resolved to that Service's
 * `spec.clusterIP` as stored in the implementation. Only loopback addresses are ever dialled.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { K8sObject } from '../../api/object.ts';
import { canonicalHeaderKey } from '../echo/go-compat.ts';
import { MESH_ECHO_PATH, decodeMessageField, encodeMessageField, grpcFrame, readGrpcFrame } from '../echo/mesh-wire.ts';

/** What an exec of the client yields. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The client's command line, parsed. */
export interface ClientArgs {
  url: URL;
  method?: string;
  headers: [string, string][];
  count: number;
}

/** Looks a Service up; undefined when it does not exist. */
export type ServiceLookup = (namespace: string, name: string) => Promise<K8sObject | undefined>;

/** Where the client runs and how it resolves names. */
export interface MeshClientOptions {
  /** The pod's IP: every connection is bound to it. */
  podIp: string;
  /** The pod's namespace: the first entry of its DNS search path. */
  podNamespace: string;
  lookupService: ServiceLookup;
  /** Per-request limit. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** How many requests of one `--count` batch are in flight at once. */
const CONCURRENCY = 8;

/** Parses `client <url> ...`; a string is the usage error the command would print. */
export function parseClientArgs(argv: readonly string[]): ClientArgs | string {
  if (argv[0] !== 'client') return `unknown command ${JSON.stringify(argv[0] ?? '')}`;
  let url: URL | undefined;
  const out: Omit<ClientArgs, 'url'> = { headers: [], count: 1 };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-H' || a === '--header') {
      const v = argv[++i];
      const colon = v?.indexOf(':') ?? -1;
      if (v === undefined || colon <= 0) return `invalid header ${JSON.stringify(v ?? '')}: want Name:value`;
      out.headers.push([v.slice(0, colon), v.slice(colon + 1)]);
    } else if (a.startsWith('--method=')) out.method = a.slice('--method='.length);
    else if (a.startsWith('--count=')) {
      const n = a.slice('--count='.length);
      if (!/^\d+$/.test(n) || Number(n) < 1) return `invalid --count ${JSON.stringify(n)}`;
      out.count = Number(n);
    } else if (a.startsWith('-')) return `unknown flag ${a}`;
    else if (url) return `unexpected argument ${JSON.stringify(a)}`;
    else {
      try {
        url = new URL(a);
      } catch {
        return `invalid URL ${JSON.stringify(a)}`;
      }
    }
  }
  if (!url) return 'missing URL';
  if (!['http:', 'grpc:'].includes(url.protocol)) return `unsupported scheme ${url.protocol.replace(/:$/, '')}`;
  return { url, ...out };
}

/** A resolved target address, or the precise reason there is none. */
export type Resolution = { ok: true; ip: string } | { ok: false; reason: string };

/** `name`, `name.ns`, `name.ns.svc` or `name.ns.svc.cluster.local` → [namespace, name]. */
function serviceOf(host: string, podNamespace: string): [string, string] | undefined {
  const parts = host.toLowerCase().replace(/\.$/, '').split('.');
  if (parts.length === 1) return [podNamespace, parts[0]!];
  if (parts.length === 2) return [parts[1]!, parts[0]!];
  if (parts.length === 3 && parts[2] === 'svc') return [parts[1]!, parts[0]!];
  if (parts.length === 5 && parts.slice(2).join('.') === 'svc.cluster.local') return [parts[1]!, parts[0]!];
  return undefined;
}

const isLoopback = (ip: string) => (net.isIPv4(ip) ? ip.startsWith('127.') : ip === '::1');

/** Resolves a URL host (brackets allowed) the way the pod's resolver would, in standalone mode. */
export async function resolveMeshHost(rawHost: string, podNamespace: string, lookup: ServiceLookup): Promise<Resolution> {
  const host = rawHost.replace(/^\[(.*)\]$/, '$1');
  let ip = host;
  if (!net.isIP(host)) {
    const svc = serviceOf(host, podNamespace);
    if (!svc) return { ok: false, reason: `lookup ${host}: no such host (not a Service name; standalone mode resolves only Services)` };
    const [ns, name] = svc;
    const obj = await lookup(ns, name);
    if (!obj) return { ok: false, reason: `lookup ${host}: no such host (Service ${ns}/${name} does not exist)` };
    const cip = String(obj.spec?.clusterIP ?? '');
    if (cip === '') return { ok: false, reason: `Service ${ns}/${name} has no clusterIP: the implementation serves no mesh address for it` };
    if (cip === 'None') return { ok: false, reason: `Service ${ns}/${name} is headless (clusterIP None): resolving it to pod addresses is not emulated` };
    if (!net.isIP(cip)) return { ok: false, reason: `Service ${ns}/${name} has an invalid clusterIP ${JSON.stringify(cip)}` };
    ip = cip;
  }
  if (!isLoopback(ip)) return { ok: false, reason: `refusing to connect to ${ip}: mesh traffic in standalone mode stays on loopback addresses` };
  return { ok: true, ip };
}

/** One request's output lines (without the trailing blank line), or an error. */
type Outcome = { ok: true; lines: string[] } | { ok: false; error: string };

function bodyLines(i: number, text: string): string[] {
  return text.split('\n').filter((l) => l !== '').map((l) => `[${i} body] ${l}`);
}

function httpOnce(i: number, args: ClientArgs, ip: string, agent: http.Agent, opts: MeshClientOptions): Promise<Outcome> {
  const { url } = args;
  const headers: Record<string, string | string[]> = { Host: url.host };
  for (const [k, v] of args.headers) {
    const name = k.toLowerCase() === 'host' ? 'Host' : k;
    headers[name] = name === 'Host' ? v : [...((headers[name] as string[] | undefined) ?? []), v];
  }
  return new Promise((resolve) => {
    const req = http.request(
      { host: ip, port: Number(url.port || 80), path: `${url.pathname}${url.search}` || '/', method: args.method || 'GET', headers, setHost: false, agent, localAddress: opts.podIp, signal: opts.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => resolve({ ok: false, error: `[${i}] error: ${e.message}` }));
        res.on('end', () => {
          const lines = [`[${i}] Url=${url.href}`, `[${i}] StatusCode=${res.statusCode}`];
          for (let h = 0; h + 1 < res.rawHeaders.length; h += 2) lines.push(`[${i}] ResponseHeader=${canonicalHeaderKey(res.rawHeaders[h]!)}:${res.rawHeaders[h + 1]}`);
          resolve({ ok: true, lines: [...lines, ...bodyLines(i, Buffer.concat(chunks).toString('utf8'))] });
        });
      },
    );
    req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`timeout after ${opts.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, error: `[${i}] error: ${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.replace('  ', ' ') }));
    req.end();
  });
}

function grpcOnce(i: number, args: ClientArgs, session: http2.ClientHttp2Session, opts: MeshClientOptions): Promise<Outcome> {
  const headers: http2.OutgoingHttpHeaders = { ':method': 'POST', ':path': MESH_ECHO_PATH, ':authority': args.url.host, 'content-type': 'application/grpc', te: 'trailers' };
  for (const [k, v] of args.headers) {
    const name = k.toLowerCase();
    if (name === 'host') headers[':authority'] = v;
    else headers[name] = [...((headers[name] as string[] | undefined) ?? []), v];
  }
  return new Promise((resolve) => {
    const stream = session.request(headers, { signal: opts.signal });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    let message = '';
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    stream.setTimeout(opts.timeoutMs, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', (e) => resolve({ ok: false, error: `[${i}] error: ${e.message}` }));
    stream.on('close', () => {
      if (status === undefined) return resolve({ ok: false, error: `[${i}] error: the stream ended without a gRPC status${stream.rstCode ? ` (RST ${stream.rstCode})` : ''}` });
      if (status !== '0') return resolve({ ok: false, error: `[${i}] error: rpc error: code = ${status} desc = ${message}` });
      const msg = readGrpcFrame(Buffer.concat(chunks));
      resolve({ ok: true, lines: [`[${i}] Url=${args.url.href}`, ...bodyLines(i, msg ? decodeMessageField(msg) : '')] });
    });
    stream.end(grpcFrame(encodeMessageField('')));
  });
}

/** Runs `count` request functions with bounded concurrency, keeping output order. */
async function runAll(count: number, one: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, worker));
  return out;
}

/** Runs the client as an exec would: never rejects; failures are a non-zero exit code with stderr. */
export async function runMeshClient(argv: readonly string[], opts: MeshClientOptions): Promise<ExecResult> {
  const args = parseClientArgs(argv);
  if (typeof args === 'string') return { stdout: '', stderr: `${args}\n`, exitCode: 2 };
  const target = await resolveMeshHost(args.url.hostname, opts.podNamespace, opts.lookupService).catch((e: Error): Resolution => ({ ok: false, reason: `lookup ${args.url.hostname}: ${e.message}` }));
  if (!target.ok) return { stdout: '', stderr: `${target.reason}\n`, exitCode: 1 };
  let results: Outcome[];
  if (args.url.protocol === 'grpc:') {
    const port = Number(args.url.port || 80);
    const session = http2.connect(`http://${args.url.host}`, { createConnection: () => net.connect({ host: target.ip, port, localAddress: opts.podIp }) });
    session.on('error', () => {});
    try {
      results = await runAll(args.count, (i) => grpcOnce(i, args, session, opts));
    } finally {
      session.destroy();
    }
  } else {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      results = await runAll(args.count, (i) => httpOnce(i, args, target.ip, agent, opts));
    } finally {
      agent.destroy();
    }
  }
  const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));
  const stdout = results.flatMap((r) => (r.ok ? [r.lines.join('\n') + '\n'] : [])).join('\n');
  return { stdout, stderr: errors.map((e) => `${e}\n`).join(''), exitCode: errors.length ? 1 : 0 };
}
