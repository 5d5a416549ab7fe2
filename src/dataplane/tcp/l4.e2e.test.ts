/**
 * End to end through L4Plane on loopback: TCP weighted splicing and refusal, TLS passthrough and
 * termination on one SNI-routed socket, UDP sessions with weights, bind errors and version swaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, connect as netConnect, type AddressInfo, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { IR, IRBackend, IRCertificate, IRL4Listener, IRSocket } from '../../ir/types.ts';
import { freePort } from '../testing.ts';
import { selfSigned } from '../tls/testing.ts';
import { L4Plane } from './plane.ts';

function backend(name: string, port: number, weight = 1, extra: Partial<IRBackend> = {}): IRBackend {
  return { name, weight, endpoints: [{ address: '127.0.0.1', port }], protocol: 'http1', filters: [], ...extra };
}

function l4Socket(protocol: 'TCP' | 'UDP' | 'TLS', port: number, listeners: IRL4Listener[]): IRSocket {
  const key = protocol === 'UDP' ? `127.0.0.1:${port}/udp` : `127.0.0.1:${port}`;
  return { key, address: '127.0.0.1', port, protocol, gateway: 'test/gw', httpListeners: [], l4Listeners: listeners };
}

function simple(name: string, backends: IRBackend[]): IRL4Listener {
  return { name: `test/gw/${name}`, hostname: '', routes: backends.length ? [{ id: `TCPRoute/test/${name}`, hostname: '*', backends }] : [] };
}

/** A TCP server greeting every connection with `name` then echoing. */
async function greeter(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.write(`${name}\n`);
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A TLS server greeting with its name and the SNI it saw. */
async function tlsGreeter(name: string, cert: IRCertificate): Promise<{ server: Server; port: number }> {
  const server = createTlsServer({ cert: cert.certPem, key: cert.keyPem }, (s) => {
    s.on('error', () => undefined);
    s.end(`${name} sni=${(s as any).servername}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** First line from a plain TCP connection, or "closed" when the connection ends without one. */
function tcpLine(port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = netConnect(port, '127.0.0.1');
    let buf = '';
    c.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        c.destroy();
        resolve(buf.split('\n')[0]);
      }
    });
    c.on('error', () => undefined);
    c.on('close', () => resolve(buf || 'closed'));
  });
}

/** First line over TLS with an SNI, or "refused: CODE" when the handshake does not complete. */
function tlsLine(port: number, servername: string, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const c = tlsConnect({ host: '127.0.0.1', port, servername, ca, minVersion: 'TLSv1.2' });
    let buf = '';
    let secure = false;
    c.on('secureConnect', () => (secure = true));
    c.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) {
        c.destroy();
        resolve(buf.split('\n')[0]);
      }
    });
    c.on('error', (e: NodeJS.ErrnoException) => resolve(secure ? `error ${e.code}` : `refused: ${e.code ?? e.message}`));
    c.on('close', () => resolve(buf || (secure ? 'closed' : 'refused: EOF')));
  });
}

async function closeAll(...servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
}

test('TCP: connections follow the weights; a backend-less listener refuses', async () => {
  const a = await greeter('a');
  const b = await greeter('b');
  const port = await freePort();
  const empty = await freePort();
  const plane = new L4Plane();
  const ir: IR = { version: 1, sockets: [l4Socket('TCP', port, [simple('tcp', [backend('a', a.port, 3), backend('b', b.port, 1)])]), l4Socket('TCP', empty, [simple('none', [])])] };
  try {
    assert.deepEqual(await plane.apply(ir), new Map());
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push(await tcpLine(port));
    assert.equal(seen.filter((s) => s === 'a').length, 6);
    assert.equal(seen.filter((s) => s === 'b').length, 2);
    assert.equal(await tcpLine(empty), 'closed');
  } finally {
    await plane.close();
    await closeAll(a.server, b.server);
  }
});

test('TCP: an invalid backend gets its share of connections refused; a new version swaps backends', async () => {
  const a = await greeter('a');
  const b = await greeter('b');
  const port = await freePort();
  const plane = new L4Plane();
  const bad = backend('bad', 1, 1, { invalid: { status: 500, reason: 'Service not found' }, endpoints: [] });
  try {
    await plane.apply({ version: 1, sockets: [l4Socket('TCP', port, [simple('tcp', [backend('a', a.port, 1), bad])])] });
    const seen = [await tcpLine(port), await tcpLine(port), await tcpLine(port), await tcpLine(port)];
    assert.deepEqual(seen.sort(), ['a', 'a', 'closed', 'closed']);
    await plane.apply({ version: 2, sockets: [l4Socket('TCP', port, [simple('tcp', [backend('b', b.port)])])] });
    assert.equal(await tcpLine(port), 'b');
    await plane.apply({ version: 3, sockets: [] });
    assert.deepEqual(plane.keys(), []);
  } finally {
    await plane.close();
    await closeAll(a.server, b.server);
  }
});

test('TLS: passthrough and terminate listeners share one socket, routed by SNI', async () => {
  const passCert = await selfSigned(['p.example.com']);
  const termCert = await selfSigned(['t.example.com']);
  const secure = await tlsGreeter('secure-backend', passCert);
  const plain = await greeter('plain-backend');
  const port = await freePort();
  const listeners: IRL4Listener[] = [
    { name: 'test/gw/term', hostname: 't.example.com', tlsMode: 'Terminate', tls: { certificates: [termCert] }, routes: [{ id: 'TLSRoute/test/t', hostname: 't.example.com', backends: [backend('plain', plain.port)] }] },
    { name: 'test/gw/pass', hostname: '*.example.com', tlsMode: 'Passthrough', routes: [{ id: 'TLSRoute/test/p', hostname: 'p.example.com', backends: [backend('secure', secure.port)] }] },
  ];
  const plane = new L4Plane({ helloTimeoutMs: 2000 });
  try {
    assert.deepEqual(await plane.apply({ version: 1, sockets: [l4Socket('TLS', port, listeners)] }), new Map());
    // Passthrough: the backend terminates, so it sees the client's SNI and the client trusts the backend's certificate.
    assert.equal(await tlsLine(port, 'p.example.com', passCert.certPem), 'secure-backend sni=p.example.com');
    // Terminate: the gateway presents the listener certificate; the backend gets plaintext.
    assert.equal(await tlsLine(port, 't.example.com', termCert.certPem), 'plain-backend');
    // Covered by the passthrough listener but no route: refused during the handshake.
    assert.match(await tlsLine(port, 'x.example.com', passCert.certPem), /^refused: /);
    // No listener at all for this name.
    assert.match(await tlsLine(port, 'other.test', passCert.certPem), /^refused: /);
    // Not TLS at all.
    assert.equal(await tcpLine(port), 'closed');
  } finally {
    await plane.close();
    await closeAll(secure.server, plain.server);
  }
});

test('bind errors are reported per socket key and the other sockets still bind', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const busy = (taken.address() as AddressInfo).port;
  const free = await freePort();
  const plane = new L4Plane();
  try {
    const errors = await plane.apply({ version: 1, sockets: [l4Socket('TCP', busy, [simple('a', [])]), l4Socket('TCP', free, [simple('b', [])])] });
    assert.match(errors.get(`127.0.0.1:${busy}`) ?? '', /^EADDRINUSE/);
    assert.deepEqual(plane.keys(), [`127.0.0.1:${free}`]);
  } finally {
    await plane.close();
    await closeAll(taken);
  }
});

/** A UDP echo answering "<name>:<payload>". */
async function udpEcho(name: string): Promise<{ close(): void; port: number }> {
  const s = createSocket('udp4');
  s.on('message', (m, r) => s.send(`${name}:${m}`, r.port, r.address));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return { close: () => s.close(), port: s.address().port };
}

/** Sends one datagram from a fresh client socket; the reply and the address it came from. */
async function udpAsk(port: number, payload: string, waitMs = 2000): Promise<{ reply: string; from: number }> {
  const c = createSocket('udp4');
  try {
    const got = new Promise<{ reply: string; from: number }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no UDP reply')), waitMs);
      c.once('message', (m, r) => {
        clearTimeout(t);
        resolve({ reply: String(m), from: r.port });
      });
    });
    c.send(payload, port, '127.0.0.1');
    return await got;
  } finally {
    c.close();
  }
}

test('UDP: one session per client, weighted across sessions, replies from the listener port', async () => {
  const v1 = await udpEcho('v1');
  const v2 = await udpEcho('v2');
  const tcpSide = await greeter('tcp');
  const port = await freePort();
  const plane = new L4Plane({ udpIdleTimeoutMs: 5000 });
  try {
    const sockets = [
      l4Socket('UDP', port, [simple('udp', [backend('v1', v1.port, 7), backend('v2', v2.port, 3), backend('v3', 1, 0)])]),
      l4Socket('TCP', port, [simple('tcp', [backend('tcp', tcpSide.port)])]),
    ];
    assert.deepEqual(await plane.apply({ version: 1, sockets }), new Map(), 'TCP and UDP share the port');
    const names: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await udpAsk(port, `ping${i}`);
      assert.equal(r.from, port, 'the reply comes from the address the client sent to');
      assert.equal(r.reply.split(':')[1], `ping${i}`);
      names.push(r.reply.split(':')[0]);
    }
    assert.equal(names.filter((n) => n === 'v1').length, 7);
    assert.equal(names.filter((n) => n === 'v2').length, 3);
    assert.equal(await tcpLine(port), 'tcp');
    // A client keeps its session (and backend) for every datagram.
    const c = createSocket('udp4');
    const replies: string[] = [];
    const two = new Promise<void>((resolve) => c.on('message', (m) => replies.push(String(m)) === 2 && resolve()));
    await new Promise<void>((r) => c.bind(0, '127.0.0.1', r));
    c.send('x', port, '127.0.0.1');
    c.send('y', port, '127.0.0.1');
    await two;
    c.close();
    assert.equal(replies[0].split(':')[0], replies[1].split(':')[0]);
    // Without a route new clients are dropped.
    await plane.apply({ version: 2, sockets: [l4Socket('UDP', port, [simple('udp', [])])] });
    await assert.rejects(udpAsk(port, 'dropped', 300), /no UDP reply/);
  } finally {
    await plane.close();
    v1.close();
    v2.close();
    await closeAll(tcpSide.server);
  }
});
