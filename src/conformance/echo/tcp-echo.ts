/**
 * TCP mode of echo-basic (echo-contract §4): a greeting line, then line commands PING, IS_TLS and
 * TEST on a plain port and, with a certificate, a TLS port (TLS 1.2 minimum).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Identity } from './go-compat.ts';
import { goVersionName, tlsFacts } from './tls-info.ts';
import { closeServer, listen } from './listen.ts';
import type { ServerTls } from './http-server.ts';

/** The line every connection starts with. */
export const TCP_GREETING = 'Gateway API Test TCP Server\n';
/** Longest command line accepted before the connection is dropped (guards memory). */
const MAX_LINE = 64 * 1024;

export interface TcpEchoOptions {
  ip: string;
  /** TCP_PORT and TLS_PORT as configured (echoed as strings in TEST). */
  tcpPort: string;
  tlsPort: string;
  tls?: ServerTls;
  identity: Identity;
  log(line: string): void;
}

export interface TcpEchoServers {
  ports: { tcp: number; tls?: number };
  close(): Promise<void>;
}

/** The TEST answer: compact JSON, `tlsport` and `tls` only when they apply. */
function testAnswer(opts: TcpEchoOptions, sock: net.Socket): string {
  const doc: Record<string, unknown> = { ...opts.identity, tcpport: opts.tcpPort };
  if (opts.tlsPort) doc.tlsport = opts.tlsPort;
  const encrypted = (sock as tls.TLSSocket).encrypted === true;
  doc.isTLS = encrypted;
  if (encrypted) {
    const f = tlsFacts(sock as tls.TLSSocket);
    const t: Record<string, unknown> = { version: goVersionName(f.version), serverName: f.serverName };
    if (f.negotiatedProtocol) t.negotiatedProtocol = f.negotiatedProtocol;
    t.cipherSuite = f.cipherSuite;
    doc.tls = t;
  }
  return JSON.stringify(doc) + '\n';
}

/** Runs the command loop on one connection. */
function serveConnection(opts: TcpEchoOptions, sock: net.Socket): void {
  sock.on('error', () => sock.destroy());
  sock.write(TCP_GREETING);
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE && !buf.includes('\n')) return void sock.destroy();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const cmd = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (cmd === 'PING') sock.write('PONG\n');
      else if (cmd === 'IS_TLS') sock.write(`${(sock as tls.TLSSocket).encrypted === true}\n`);
      else if (cmd === 'TEST') sock.write(testAnswer(opts, sock));
    }
  });
  sock.on('end', () => sock.end());
}

/** Starts the TCP echo listeners. */
export async function startTcpEcho(opts: TcpEchoOptions): Promise<TcpEchoServers> {
  const plain = net.createServer((s) => serveConnection(opts, s));
  const servers: net.Server[] = [plain];
  try {
    const tcp = await listen(plain, opts.ip, Number(opts.tcpPort));
    let tlsPort: number | undefined;
    if (opts.tls) {
      const secure = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, minVersion: 'TLSv1.2' }, (s) => serveConnection(opts, s));
      secure.on('tlsClientError', () => {});
      servers.push(secure);
      tlsPort = await listen(secure, opts.ip, Number(opts.tlsPort));
    }
    return { ports: { tcp, ...(tlsPort !== undefined ? { tls: tlsPort } : {}) }, close: () => closeServer(...servers) };
  } catch (err) {
    await closeServer(...servers);
    throw err;
  }
}
