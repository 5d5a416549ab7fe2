import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as dgram from 'node:dgram';
import { startEchoPod, echoModeOf, type EchoPod } from './pod.ts';
import { createCA, createLeaf } from '../certs.ts';
import { answerDns, parseCorefile, startDnsServer, Rcode } from './dns.ts';

const pods: (EchoPod | { stop(): Promise<void> })[] = [];
after(async () => {
  for (const p of pods) await p.stop();
});

/** Sends lines and collects the answer lines (greeting first). */
function converse(sock: net.Socket, commands: string[], expectLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n').filter(Boolean);
      if (lines.length >= expectLines) {
        sock.destroy();
        resolve(lines);
      }
    });
    sock.on('error', reject);
    for (const c of commands) sock.write(c + '\n');
  });
}

const env = (extra: Record<string, string>) => ({ POD_NAME: 'tcp-backend-x1-y2', NAMESPACE: 'gateway-conformance-infra', SERVICE_NAME: 'svc', ...extra });

test('mode selection follows the environment order', () => {
  assert.equal(echoModeOf('echo-basic', { GRPC_ECHO_SERVER: '1', TCP_ECHO_SERVER: '1' }), 'grpc');
  assert.equal(echoModeOf('echo-basic', { TCP_ECHO_SERVER: '1', UDP_ECHO_SERVER: '1' }), 'tcp');
  assert.equal(echoModeOf('echo-basic', { UDP_ECHO_SERVER: '1' }), 'udp');
  assert.equal(echoModeOf('echo-basic', { GRPC_ECHO_SERVER: '' }), 'http');
  assert.equal(echoModeOf('registry.k8s.io/coredns/coredns:v1.14.6', {}), 'dns');
});

test('TCP echo: greeting, PING, IS_TLS and TEST on plain and TLS ports', async () => {
  const ca = await createCA();
  const leaf = await createLeaf(['abc.example.com'], 'ServerAuth', ca);
  const pod = await startEchoPod({
    ip: '127.20.250.3', image: 'echo-basic',
    env: env({ TCP_ECHO_SERVER: '1', TCP_PORT: '0', TLS_PORT: '0', TLS_SERVER_CERT: '/c', TLS_SERVER_PRIV_KEY: '/k' }),
    files: { '/c': leaf.certPem, '/k': leaf.keyPem }, log: () => {},
  });
  pods.push(pod);
  const plain = await converse(net.connect(pod.ports.tcp, '127.20.250.3'), ['PING', 'IS_TLS', 'NOPE', 'TEST'], 4);
  assert.equal(plain[0], 'Gateway API Test TCP Server');
  assert.equal(plain[1], 'PONG');
  assert.equal(plain[2], 'false');
  assert.deepEqual(JSON.parse(plain[3]), { namespace: 'gateway-conformance-infra', ingress: '', service: 'svc', pod: 'tcp-backend-x1-y2', tcpport: '0', tlsport: '0', isTLS: false });
  const secure = tls.connect({ host: '127.20.250.3', port: pod.ports.tls, ca: ca.certPem, servername: 'abc.example.com' });
  const lines = await converse(secure, ['IS_TLS', 'TEST'], 3);
  assert.equal(lines[1], 'true');
  const doc = JSON.parse(lines[2]);
  assert.equal(doc.isTLS, true);
  assert.match(doc.tls.version, /^TLS 1\.[23]$/);
  assert.equal(doc.tls.serverName, 'abc.example.com');
});

test('UDP echo answers each datagram with JSON naming the pod', async () => {
  const pod = await startEchoPod({ ip: '127.20.250.4', image: 'echo-basic', env: env({ UDP_ECHO_SERVER: '1', UDP_PORT: '0' }), log: () => {} });
  pods.push(pod);
  const reply = await udpExchange('127.20.250.4', pod.ports.udp, Buffer.from('gateway-api-conformance-udp-echo'));
  assert.deepEqual(JSON.parse(reply.toString()), { request: 'gateway-api-conformance-udp-echo', namespace: 'gateway-conformance-infra', ingress: '', service: 'svc', pod: 'tcp-backend-x1-y2' });
});

function udpExchange(ip: string, port: number, msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.on('message', (m) => {
      s.close();
      resolve(m);
    });
    s.on('error', reject);
    s.send(msg, port, ip);
  });
}

/** A DNS query for name/type with id 0x1234 and RD set. */
function query(name: string, type = 1): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  return Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
}

test('DNS: whoami answers for the foo.bar.com zone, SERVFAIL elsewhere, FORMERR on junk', async () => {
  const corefile = '.:53 {\n    forward . 8.8.8.8 9.9.9.9\n    log\n    errors\n}\nfoo.bar.com:53 {\n  whoami\n}\n';
  const zones = parseCorefile(corefile);
  assert.deepEqual(zones.map((z) => [z.zone, z.port, z.plugins]), [['.', 53, ['forward', 'log', 'errors']], ['foo.bar.com.', 53, ['whoami']]]);
  const server = await startDnsServer({ ip: '127.20.250.5', zones, port: 0, log: () => {} });
  pods.push({ stop: server.close });
  const reply = await udpExchange('127.20.250.5', server.ports[0], query('foo.bar.com'));
  assert.equal(reply.readUInt16BE(0), 0x1234);
  assert.equal(reply.readUInt16BE(2) & 0x800f, 0x8000, 'a response with NOERROR');
  assert.equal(reply.readUInt16BE(6), 1, 'one answer');
  const ans = query('foo.bar.com').length; // the answer follows header + question
  assert.equal(reply.readUInt16BE(ans + 2), 1, 'type A');
  assert.equal(reply.readUInt16BE(ans + 10), 4, 'IPv4 rdata');
  assert.equal(reply[ans + 12], 127, 'the client address (loopback)');
  assert.equal(reply.readUInt16BE(10), 1, 'one additional (SRV) record');
  const other = answerDns(query('example.com'), zones, '127.0.0.1', 5353)!;
  assert.equal(other.readUInt16BE(2) & 0xf, Rcode.SERVFAIL);
  const junk = answerDns(Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9]), zones, '127.0.0.1', 1)!;
  assert.equal(junk.readUInt16BE(2) & 0xf, Rcode.FORMERR);
  assert.equal(answerDns(Buffer.from([1, 2]), zones, '127.0.0.1', 1), undefined);
});
