import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import { MAX_CLIENT_HELLO, parseClientHello } from './clienthello.ts';

/** The first bytes a real node:tls client sends (its ClientHello), captured on a plain TCP server. */
async function captureHello(servername: string | undefined): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const got = new Promise<Buffer>((resolve) => {
    server.once('connection', (sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        if (parseClientHello(buf).kind !== 'incomplete') {
          resolve(buf);
          sock.destroy();
        }
      });
    });
  });
  const client = connect({ host: '127.0.0.1', port, ...(servername !== undefined && { servername }), rejectUnauthorized: false });
  client.on('error', () => undefined);
  const hello = await got;
  client.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  return hello;
}

/** Re-frames one handshake message into records of at most `size` bytes each. */
function reframe(hello: Buffer, size: number): Buffer {
  const body = hello.subarray(5, 5 + hello.readUInt16BE(3));
  const out: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const part = body.subarray(i, i + size);
    const h = Buffer.from([22, 3, 1, 0, 0]);
    h.writeUInt16BE(part.length, 3);
    out.push(h, part);
  }
  return Buffer.concat(out);
}

test('the SNI of a real ClientHello is found, lower-cased', async () => {
  const hello = await captureHello('Abc.Example.COM');
  const r = parseClientHello(hello);
  assert.deepEqual(r, { kind: 'hello', serverName: 'abc.example.com' });
});

test('a ClientHello without server_name has no SNI (node omits it for IP addresses)', async () => {
  const hello = await captureHello(undefined);
  assert.deepEqual(parseClientHello(hello), { kind: 'hello', serverName: undefined });
});

test('every strict prefix of a ClientHello is incomplete, never invalid', async () => {
  const hello = await captureHello('a.example.com');
  for (const n of [0, 1, 4, 5, 6, 40, hello.length - 1]) {
    assert.equal(parseClientHello(hello.subarray(0, n)).kind, 'incomplete', `prefix of ${n} bytes`);
  }
});

test('a ClientHello split over several records is reassembled', async () => {
  const hello = await captureHello('split.example.com');
  const split = reframe(hello, 50);
  assert.ok(split.length > hello.length, 'the test really produced several records');
  assert.deepEqual(parseClientHello(split), { kind: 'hello', serverName: 'split.example.com' });
  assert.equal(parseClientHello(split.subarray(0, split.length - 3)).kind, 'incomplete');
});

test('non-TLS bytes, other record types and bad lengths are invalid', () => {
  assert.equal(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')).kind, 'invalid');
  assert.equal(parseClientHello(Buffer.from([23, 3, 3, 0, 5, 1, 2, 3, 4, 5])).kind, 'invalid');
  assert.equal(parseClientHello(Buffer.from([22, 3, 1, 0, 0])).kind, 'invalid', 'empty record');
  assert.equal(parseClientHello(Buffer.from([22, 3, 1, 0x7f, 0xff])).kind, 'invalid', 'record larger than 2^14');
  // A handshake message that is not a ClientHello (type 2 = ServerHello).
  assert.equal(parseClientHello(Buffer.from([22, 3, 1, 0, 4, 2, 0, 0, 0])).kind, 'invalid');
});

test('a ClientHello announcing more than the cap is refused before it arrives', () => {
  const n = MAX_CLIENT_HELLO + 1;
  const rec = Buffer.from([22, 3, 1, 0, 4, 1, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  assert.equal(parseClientHello(rec).kind, 'invalid');
});

test('a truncated body (lengths pointing past the message) is invalid, not a crash', async () => {
  const hello = await captureHello('a.example.com');
  const corrupt = Buffer.from(hello);
  // Session id length byte (after record header 5, handshake header 4, version 2, random 32) set huge.
  corrupt[5 + 4 + 2 + 32] = 0xff;
  assert.equal(parseClientHello(corrupt).kind, 'invalid');
});

test('a server_name with characters outside a DNS name is invalid', async () => {
  const hello = await captureHello('abc.example.com');
  const at = hello.indexOf(Buffer.from('abc.example.com'));
  assert.ok(at > 0);
  const bad = Buffer.from(hello);
  bad[at + 3] = 0x00;
  assert.equal(parseClientHello(bad).kind, 'invalid');
});
