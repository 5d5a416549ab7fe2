import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describeBindError } from './bind-error.ts';

test('a real EADDRINUSE is explained with the address, unknown codes keep node\'s message', async () => {
  const a = createServer();
  await new Promise<void>((r) => a.listen(0, '127.0.0.1', () => r()));
  const port = (a.address() as AddressInfo).port;
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
    const b = createServer();
    b.once('error', resolve);
    b.listen({ host: '127.0.0.1', port, exclusive: true });
  });
  await new Promise<void>((r) => a.close(() => r()));
  assert.equal(describeBindError(err, '127.0.0.1', port), `EADDRINUSE: address already in use: another process listens on this address and port (127.0.0.1:${port})`);
  assert.equal(describeBindError(Object.assign(new Error('boom'), { code: 'EWEIRD' }), '127.0.0.2', 1), 'EWEIRD: boom (127.0.0.2:1)');
  assert.match(describeBindError(Object.assign(new Error('x'), { code: 'EACCES' }), '127.0.0.1', 80), /ports below 1024 need root/);
});
