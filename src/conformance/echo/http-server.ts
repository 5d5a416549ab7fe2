/**
 * The listeners of echo-basic's HTTP mode (echo-contract §2): HTTP/1.x on HTTP_PORT, HTTP/1.1 +
 * prior-knowledge h2c on H2C_PORT (the connection preface is sniffed), HTTPS with HTTP/1.1 and h2
 * (ALPN) on HTTPS_PORT when a certificate is configured, and the `/ws` WebSocket echo.
 */
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { createEchoHandler, sendResponse, type AnyRequest, type AnyResponse, type HttpEchoContext } from './http-echo.ts';
import { rejectBadClientCerts } from './tls-info.ts';
import { closeServer, listen } from './listen.ts';

/** TLS material for the HTTPS listener, as PEM text. */
export interface ServerTls {
  cert: string;
  key: string;
  /** When set, client certificates are requested and, if presented, verified against it. */
  clientCa?: string;
}

/** Options of the HTTP echo listeners. Ports may be 0 (ephemeral). */
export interface HttpEchoOptions extends HttpEchoContext {
  ip: string;
  httpPort: string;
  h2cPort: number;
  httpsPort: number;
  tls?: ServerTls;
}

/** The running listeners, with the ports they actually bound. */
export interface HttpEchoServers {
  ports: { http: number; h2c: number; https?: number };
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Serves a request that arrived as an HTTP/1 `upgrade` event through the ordinary handler. */
function serveOnUpgradedSocket(req: http.IncomingMessage, socket: Duplex, handler: (q: AnyRequest, s: AnyResponse) => void): void {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as net.Socket);
  res.on('finish', () => socket.end());
  handler(req, res);
}

/** Routes `upgrade` events: WebSocket on /ws, everything else answered as a plain request. */
function upgradeRouter(wss: WebSocketServer, handler: (q: AnyRequest, s: AnyResponse) => void) {
  return (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '').split('?')[0].replace(/\/{2,}/g, '/');
    const isWs = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (isWs && path === '/ws') {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
        ws.on('error', () => ws.terminate());
      });
      return;
    }
    serveOnUpgradedSocket(req, socket, handler);
  };
}

/** Handler of the h2c port's HTTP/1 side: only h2c upgrade requests are echoed, like upstream. */
function h2cOnly(handler: (q: AnyRequest, s: AnyResponse) => void) {
  return (req: AnyRequest, res: AnyResponse) => {
    if (req.httpVersionMajor !== 2 && String(req.headers.upgrade ?? '').toLowerCase() !== 'h2c') {
      sendResponse(res, 400, [['Content-Type', 'text/plain; charset=utf-8']], 'Expected h2c request');
      return;
    }
    handler(req, res);
  };
}

/** A TCP server handing each connection to the HTTP/2 or the HTTP/1 server by its first bytes. */
function sniffingServer(h1: http.Server, h2: http2.Http2Server): net.Server {
  return net.createServer((sock) => {
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const n = Math.min(buf.length, H2_PREFACE.length);
      const isH2 = buf.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
      if (isH2 && buf.length < H2_PREFACE.length) return; // need more bytes to decide
      sock.off('data', onData);
      sock.pause();
      sock.unshift(buf);
      (isH2 ? h2 : h1).emit('connection', sock);
      if (!isH2) sock.resume();
    };
    sock.on('data', onData);
  });
}

/** Starts the HTTP echo listeners on `ip`. */
export async function startHttpEcho(opts: HttpEchoOptions): Promise<HttpEchoServers> {
  const handler = createEchoHandler(opts);
  const wss = new WebSocketServer({ noServer: true });
  const closers: (() => Promise<void>)[] = [];
  try {
    const plain = http.createServer(handler);
    plain.on('upgrade', upgradeRouter(wss, handler));
    const httpPort = await listen(plain, opts.ip, Number(opts.httpPort));
    closers.push(() => closeServer(plain));

    const h2cHandler = h2cOnly(handler);
    const h1 = http.createServer(h2cHandler);
    h1.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => serveOnUpgradedSocket(req, socket, h2cHandler));
    const h2 = http2.createServer({}, handler);
    const sniff = sniffingServer(h1, h2);
    const h2cPort = await listen(sniff, opts.ip, opts.h2cPort);
    closers.push(() => closeServer(sniff, h1, h2));

    let httpsPort: number | undefined;
    if (opts.tls) {
      const t = opts.tls;
      const secure = http2.createSecureServer(
        { cert: t.cert, key: t.key, allowHTTP1: true, ...(t.clientCa ? { ca: t.clientCa, requestCert: true, rejectUnauthorized: false } : {}) },
        handler,
      );
      if (t.clientCa) secure.prependListener('secureConnection', (s: TLSSocket) => void rejectBadClientCerts(s));
      secure.on('upgrade', upgradeRouter(wss, handler));
      httpsPort = await listen(secure, opts.ip, opts.httpsPort);
      closers.push(() => closeServer(secure));
    }
    return {
      ports: { http: httpPort, h2c: h2cPort, ...(httpsPort !== undefined ? { https: httpsPort } : {}) },
      async close() {
        for (const c of wss.clients) c.terminate();
        wss.close();
        await Promise.all(closers.map((c) => c()));
      },
    };
  } catch (err) {
    wss.close();
    await Promise.all(closers.map((c) => c()));
    throw err;
  }
}
