/**
 * Test helpers for the data plane (not used in production code): IR builders, an echo upstream that
 * answers with the request it saw as JSON, a free-port finder and a small HTTP client.
 */
import { createServer, request, type Agent, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IR, IRBackend, IRFilter, IRMatch, IRRoute, IRSocket, IRVirtualHost } from '../ir/types.ts';

/** A route with sensible defaults: PathPrefix "/" unless `match` says otherwise. */
export function route(id: string, backends: IRBackend[], extra: Partial<Omit<IRRoute, 'match'>> & { match?: Partial<IRMatch> } = {}): IRRoute {
  const match: IRMatch = { path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [], ...extra.match };
  return { id, filters: [], ...extra, match, backends };
}

/** A backend pointing at the given ports on 127.0.0.1. */
export function backend(name: string, ports: number[], extra: Partial<IRBackend> = {}): IRBackend {
  return { name, weight: 1, endpoints: ports.map((port) => ({ address: '127.0.0.1', port })), protocol: 'http1', filters: [], ...extra };
}

/** A socket on 127.0.0.1:port with one listener ("" hostname) holding the given virtual hosts. */
export function socket(port: number, vhosts: IRVirtualHost[], listenerHostname = ''): IRSocket {
  return {
    key: `127.0.0.1:${port}`, address: '127.0.0.1', port, protocol: 'HTTP', gateway: 'test/gw',
    httpListeners: [{ name: 'test/gw/http', hostname: listenerHostname, virtualHosts: vhosts }],
  };
}

/** An IR with one socket and one "*" virtual host. */
export function simpleIR(version: number, port: number, routes: IRRoute[]): IR {
  return { version, sockets: [socket(port, [{ hostname: '*', routes }])] };
}

/** Shorthand for filters in tests. */
export function filters(...f: IRFilter[]): IRFilter[] {
  return f;
}

/** A port that was free a moment ago (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** What the echo upstream saw. */
export interface Echo {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyBytes: number;
}

/** An echo upstream: answers every request with the request as JSON; counts TCP connections. */
export interface EchoServer {
  readonly port: number;
  readonly server: Server;
  connections: number;
  requests: number;
  close(): Promise<void>;
}

/**
 * Starts an echo upstream. Special paths: "/slow?ms=N" waits N ms before answering; "/status/N" answers N;
 * "/stream?bytes=N" streams N bytes; "/die" sends a partial body then destroys the socket; "/retry/...?uuid=U&
 * succeedAfter=N[&responseCode=C]" is the conformance retry simulator: the first N requests of a uuid get C, or
 * a TCP reset when C is absent, later ones the echo.
 */
export async function startEcho(name: string): Promise<EchoServer> {
  const state = { connections: 0, requests: 0 };
  const retries = new Map<string, number>();
  const server = createServer({ keepAlive: true }, (req, res) => {
    state.requests++;
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/retry/') && simulateFailure(url, retries, res)) return;
      if (url.pathname === '/die') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
        setImmediate(() => res.socket?.destroy());
        return;
      }
      if (url.pathname === '/stream') {
        const total = Number(url.searchParams.get('bytes'));
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 97);
        let sent = 0;
        const pump = (): void => {
          while (sent < total) {
            const n = Math.min(chunk.length, total - sent);
            sent += n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end();
        };
        return pump();
      }
      const status = url.pathname.startsWith('/status/') ? Number(url.pathname.slice(8)) : 200;
      const body = JSON.stringify({ name, method: req.method ?? '', path: req.url ?? '', headers: req.headers, bodyBytes: bytes } satisfies Echo);
      const delay = Number(url.searchParams.get('ms') ?? 0);
      const send = (): void => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-echo-name': name });
        res.end(body);
      };
      if (url.pathname !== '/slow') return send();
      const timer = setTimeout(send, delay);
      res.on('close', () => clearTimeout(timer)); // a cancelled request must not keep the test process alive

    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    server,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  });
}

/** A response read in full. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The echo JSON when the body is one, else undefined. */
  readonly echo: Echo | undefined;
}

/** Sends a request to 127.0.0.1:port and reads the whole answer. `agent: false` = fresh connection. */
export function send(
  port: number,
  path: string,
  o: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; agent?: Agent | false } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: o.method ?? 'GET', headers: o.headers, agent: o.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        let echo: Echo | undefined;
        if (res.headers['content-type'] === 'application/json') echo = JSON.parse(body) as Echo;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, echo });
      });
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The retry simulator of the conformance echo server; true when it answered (with a failure). */
function simulateFailure(url: URL, counters: Map<string, number>, res: ServerResponse): boolean {
  const uuid = url.searchParams.get('uuid') ?? '';
  const seen = counters.get(uuid) ?? 0;
  if (seen >= Number(url.searchParams.get('succeedAfter'))) return false;
  counters.set(uuid, seen + 1);
  const code = url.searchParams.get('responseCode');
  if (code === null) res.socket?.resetAndDestroy();
  else {
    res.writeHead(Number(code), { 'content-type': 'text/plain' });
    res.end('simulated failure');
  }
  return true;
}
