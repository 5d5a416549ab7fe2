/**
 * The mesh echo server (echo-advanced, echo-contract §6): the server half of the Istio-style echo
 * application the mesh pods run. It answers HTTP (optionally over TLS), gRPC (h2c, one unary Echo
 * method) and raw TCP on the ports its command line names, on the pod's own loopback address, and
 * answers with `Key=value` text lines — the format the mesh echo client prints back and the suite
 * parses (StatusCode=, Hostname=, RequestHeader=Name:value, ...).
 */
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { Server } from 'node:net';
import { canonicalHeaderKey, type Parsed } from './go-compat.ts';
import { closeServer, listen } from './listen.ts';
import { createLeaf } from '../certs.ts';
import { decodeMessageField, encodeMessageField, grpcFrame, readGrpcFrame, MESH_ECHO_PATH } from './mesh-wire.ts';

/** The server's command line, as the echo-advanced image reads it. */
export interface MeshArgs {
  /** HTTP ports (`--port`, repeatable); those also listed in `tls` speak HTTPS. */
  httpPorts: number[];
  grpcPorts: number[];
  tcpPorts: number[];
  tlsPorts: number[];
  /** Certificate and key file paths for the TLS ports (`--crt`, `--key`). */
  crt: string;
  key: string;
  /** `--version`, echoed as ServiceVersion. */
  version: string;
  cluster: string;
}

/** The image defaults when a flag is not given (the consumer pod runs with no args at all). */
const DEFAULTS = { httpPorts: [8080], grpcPorts: [7070] };

const LIST_FLAGS = { port: 'httpPorts', grpc: 'grpcPorts', tcp: 'tcpPorts', tls: 'tlsPorts' } as const;
const TEXT_FLAGS = { crt: 'crt', key: 'key', version: 'version', cluster: 'cluster' } as const;

/** Parses `--flag=value` / `--flag value` arguments; unknown flags are errors like the real binary's. */
export function parseMeshArgs(args: readonly string[]): Parsed<MeshArgs> {
  const out: MeshArgs = { httpPorts: [], grpcPorts: [], tcpPorts: [], tlsPorts: [], crt: '', key: '', version: '', cluster: '' };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--?([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(args[i]!);
    if (!m) return { ok: false, error: `unexpected argument ${JSON.stringify(args[i])}` };
    const name = m[1]!;
    const value = m[2] ?? args[++i];
    if (value === undefined) return { ok: false, error: `flag needs an argument: --${name}` };
    if (name in LIST_FLAGS) {
      const port = Number(value);
      if (!/^\d+$/.test(value) || port > 65535) return { ok: false, error: `invalid argument ${JSON.stringify(value)} for --${name}: not a port` };
      out[LIST_FLAGS[name as keyof typeof LIST_FLAGS]].push(port);
      seen.add(name);
    } else if (name in TEXT_FLAGS) out[TEXT_FLAGS[name as keyof typeof TEXT_FLAGS]] = value;
    else return { ok: false, error: `unknown flag: --${name}` };
  }
  if (!seen.has('port')) out.httpPorts = [...DEFAULTS.httpPorts];
  if (!seen.has('grpc')) out.grpcPorts = [...DEFAULTS.grpcPorts];
  return { ok: true, value: out };
}

/** How to start the server. */
export interface MeshEchoOptions {
  ip: string;
  args: readonly string[];
  /** The pod's host name (Kubernetes sets HOSTNAME to the pod name): echoed as Hostname. */
  hostname: string;
  /** Mounted files by absolute path (for --crt / --key). */
  files?: Record<string, string>;
  log(line: string): void;
}

/** A running mesh echo server. */
export interface MeshEcho {
  /** First bound port by role: http, https, grpc, tcp. */
  ports: Record<string, number>;
  close(): Promise<void>;
}

/** Facts about one request, turned into the echoed text. */
export interface EchoedRequest {
  version: string;
  cluster: string;
  port: number;
  host: string;
  url: string;
  method: string;
  proto: string;
  remoteIp: string;
  alpn: string;
  /** Header name → values, in arrival order (pseudo headers and Host excluded). */
  headers: [string, string][];
  hostname: string;
}

/** The echoed body: one `Key=value` line per field, request headers with Go-canonical names. */
export function meshEchoBody(r: EchoedRequest): string {
  const lines = [
    `ServiceVersion=${r.version}`,
    `ServicePort=${r.port}`,
    'StatusCode=200',
    `Host=${r.host}`,
    `URL=${r.url}`,
    `Cluster=${r.cluster}`,
    'IstioVersion=',
    `Method=${r.method}`,
    `Proto=${r.proto}`,
    `IP=${r.remoteIp}`,
    `Alpn=${r.alpn}`,
  ];
  const byName = new Map<string, string[]>();
  for (const [k, v] of r.headers) {
    const name = canonicalHeaderKey(k);
    if (name === 'Host' || name.startsWith(':')) continue;
    byName.set(name, [...(byName.get(name) ?? []), v]);
  }
  for (const name of [...byName.keys()].sort()) for (const v of byName.get(name)!) lines.push(`RequestHeader=${name}:${v}`);
  lines.push(`Hostname=${r.hostname}`);
  return lines.join('\n') + '\n';
}

function pairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

/** Strips the IPv4-mapped prefix Node reports on dual-stack sockets. */
const plainIp = (a: string | undefined) => (a ?? '').replace(/^::ffff:/, '');

/** The certificate the image ships with, standing in when --crt names no mounted file. */
let builtInCert: Promise<{ cert: string; key: string }> | undefined;
function defaultCert(): Promise<{ cert: string; key: string }> {
  builtInCert ??= createLeaf(['echo', 'localhost'], 'ServerAuth').then((ck) => ({ cert: ck.certPem, key: ck.keyPem }));
  return builtInCert;
}

async function tlsMaterial(opts: MeshEchoOptions, a: MeshArgs): Promise<{ cert: string; key: string }> {
  const cert = opts.files?.[a.crt];
  const key = opts.files?.[a.key];
  return cert !== undefined && key !== undefined ? { cert, key } : defaultCert();
}

function httpHandler(a: MeshArgs, opts: MeshEchoOptions, port: () => number, tls: boolean) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    const sock = req.socket as import('node:tls').TLSSocket;
    const body = meshEchoBody({
      version: a.version, cluster: a.cluster, port: port(), host: req.headers.host ?? '', url: req.url ?? '', method: req.method ?? '',
      proto: `HTTP/${req.httpVersion}`, remoteIp: plainIp(req.socket.remoteAddress), alpn: tls && sock.alpnProtocol ? String(sock.alpnProtocol) : '',
      headers: pairs(req.rawHeaders), hostname: opts.hostname,
    });
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(body);
  };
}

function grpcStream(a: MeshArgs, opts: MeshEchoOptions, port: () => number) {
  return (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, _flags: number, raw?: string[]) => {
    stream.on('error', () => {});
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      if (stream.destroyed) return;
      const trailers = (code: number, message = '') => ({ 'grpc-status': String(code), 'grpc-message': encodeURIComponent(message) });
      if (headers[':path'] !== MESH_ECHO_PATH) {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers(12, `unknown method ${headers[':path']}`) }, { endStream: true });
        return;
      }
      const msg = readGrpcFrame(Buffer.concat(chunks));
      const text = meshEchoBody({
        version: a.version, cluster: a.cluster, port: port(), host: String(headers[':authority'] ?? ''), url: '', method: '', proto: 'GRPC',
        remoteIp: plainIp(stream.session?.socket?.remoteAddress), alpn: '', hostname: opts.hostname,
        headers: pairs(raw ?? []).filter(([k]) => !k.startsWith(':') && k !== 'content-type' && k !== 'te'),
      });
      const prefix = msg ? decodeMessageField(msg) : '';
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers(trailers(0)));
      stream.end(grpcFrame(encodeMessageField(prefix ? `${prefix}\n${text}` : text)));
    });
  };
}

function tcpServer(a: MeshArgs, opts: MeshEchoOptions, port: () => number): Server {
  return net.createServer((sock) => {
    sock.on('error', () => {});
    sock.on('data', (data) => {
      const fields = `ServiceVersion=${a.version}\nServicePort=${port()}\nIP=${plainIp(sock.remoteAddress)}\nHostname=${opts.hostname}\n`;
      sock.write(Buffer.concat([data, Buffer.from(fields)]));
    });
  });
}

/** Starts every listener the arguments name; rejects (after closing what it opened) on a bad flag or a busy port. */
export async function startMeshEcho(opts: MeshEchoOptions): Promise<MeshEcho> {
  const parsed = parseMeshArgs(opts.args);
  if (!parsed.ok) throw new Error(parsed.error);
  const a = parsed.value;
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  const bind = async (role: string, server: Server, port: number) => {
    servers.push(server);
    const bound = await listen(server, opts.ip, port);
    ports[role] ??= bound;
    return bound;
  };
  try {
    for (const p of a.httpPorts) {
      const tls = a.tlsPorts.includes(p);
      let bound = p;
      const handler = httpHandler(a, opts, () => bound, tls);
      const server = tls ? https.createServer({ ...(await tlsMaterial(opts, a)), ALPNProtocols: ['http/1.1'] }, handler) : http.createServer(handler);
      bound = await bind(tls ? 'https' : 'http', server, p);
    }
    for (const p of a.grpcPorts) {
      let bound = p;
      const server = http2.createServer();
      server.on('stream', grpcStream(a, opts, () => bound));
      server.on('sessionError', () => {});
      bound = await bind('grpc', server as unknown as Server, p);
    }
    for (const p of a.tcpPorts) {
      let bound = p;
      bound = await bind('tcp', tcpServer(a, opts, () => bound), p);
    }
  } catch (err) {
    await closeServer(...servers);
    throw err;
  }
  opts.log(`mesh echo ${opts.hostname} on ${opts.ip}: ${Object.entries(ports).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return { ports, close: () => closeServer(...servers) };
}
