/**
 * HTTP/2 test helpers (not used in production code): an h2c echo upstream that counts sessions and can send
 * trailers or GOAWAY on demand, and an h2c prior-knowledge client.
 */
import { connect, createServer, type ClientHttp2Session, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';

/** What the h2c echo upstream saw. */
export interface H2Echo {
  readonly name: string;
  readonly proto: string;
  readonly method: string;
  readonly path: string;
  readonly authority: string | undefined;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly bodyBytes: number;
}

/** A running h2c echo upstream. */
export interface H2EchoServer {
  readonly port: number;
  readonly server: Http2Server;
  /** Sessions (TCP connections) accepted so far. */
  sessions: number;
  requests: number;
  close(): Promise<void>;
}

/**
 * Starts an h2c upstream. Paths: "/trailers" answers with trailers x-checksum and grpc-status; "/goaway"
 * answers, then sends GOAWAY on its session; "/kill" answers, then destroys its session; "/stream?bytes=N"
 * streams N bytes; "/status/N" answers N; anything else echoes the request as JSON.
 */
export async function startH2Echo(name: string): Promise<H2EchoServer> {
  const state = { sessions: 0, requests: 0 };
  const live = new Set<ServerHttp2Session>();
  const server = createServer();
  server.on('session', (s: ServerHttp2Session) => {
    state.sessions++;
    live.add(s);
    s.once('close', () => live.delete(s));
  });
  server.on('stream', (stream, headers) => {
    state.requests++;
    let bytes = 0;
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      const url = new URL(String(headers[':path']), 'http://x');
      if (url.pathname === '/stream') {
        stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
        stream.end(Buffer.alloc(Number(url.searchParams.get('bytes')), 98));
        return;
      }
      if (url.pathname === '/trailers') {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc', 'grpc-status': '0' }));
        stream.end('body');
        return;
      }
      const status = url.pathname.startsWith('/status/') ? Number(url.pathname.slice(8)) : 200;
      const echo: H2Echo = {
        name, proto: 'HTTP/2.0', method: String(headers[':method']), path: String(headers[':path']),
        authority: headers[':authority'], headers: plain(headers), bodyBytes: bytes,
      };
      stream.respond({ ':status': status, 'content-type': 'application/json', 'x-echo-name': name });
      stream.end(JSON.stringify(echo));
      const session = stream.session; // unset once the stream has closed
      if (url.pathname === '/goaway') stream.once('close', () => session?.goaway());
      // Give the answer time to leave the socket before the connection is torn down.
      if (url.pathname === '/kill') stream.once('close', () => setTimeout(() => session?.destroy(), 10));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    server,
    close: () => new Promise<void>((r) => {
      for (const s of live) s.destroy();
      server.close(() => r());
    }),
  });
}

function plain(h: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const out: Record<string, string | string[] | undefined> = {};
  for (const k of Object.keys(h)) out[k] = h[k];
  return out;
}

/** A response read in full over HTTP/2. */
export interface H2Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders | undefined;
  readonly body: Buffer;
}

/** Sends one request on an h2c session and reads the whole answer. */
export function h2Send(session: ClientHttp2Session, path: string, o: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': o.method ?? 'GET', ':path': path, ...o.headers }, { endStream: o.body === undefined });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, trailers, body: Buffer.concat(chunks) }));
    if (o.body !== undefined) stream.end(o.body);
  });
}

/** Opens an h2c prior-knowledge session to 127.0.0.1:port. */
export function h2Connect(port: number): ClientHttp2Session {
  const s = connect(`http://127.0.0.1:${port}`);
  s.on('error', () => undefined); // failures surface on the streams
  return s;
}
