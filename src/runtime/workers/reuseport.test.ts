/**
 * SO_REUSEPORT through the data plane's own option: two data planes created with `reusePort: true`
 * (as two worker processes are) both bind one TCP port and one UDP port; without it the second bind fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { HttpDataPlane } from '../../dataplane/index.ts';
import type { IR, IRSocket } from '../../ir/types.ts';
import { reusePortSupported } from './reuseport.ts';

const skip = reusePortSupported() ? false : 'SO_REUSEPORT balancing is Linux/FreeBSD only';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function ir(port: number): IR {
  const http: IRSocket = { key: `127.0.0.1:${port}`, address: '127.0.0.1', port, protocol: 'HTTP', gateway: 'ns/gw', httpListeners: [] };
  const udp: IRSocket = {
    key: `127.0.0.1:${port}/udp`, address: '127.0.0.1', port, protocol: 'UDP', gateway: 'ns/gw', httpListeners: [],
    l4Listeners: [{ name: 'ns/gw/udp', hostname: '', routes: [] }],
  } as unknown as IRSocket;
  return { version: 1, sockets: [http, udp] };
}

test('data planes with reusePort share TCP and UDP ports; without it the second bind fails', { skip }, async () => {
  const port = await freePort();
  const a = new HttpDataPlane({ reusePort: true });
  const b = new HttpDataPlane({ reusePort: true });
  const c = new HttpDataPlane();
  try {
    assert.equal((await a.apply(ir(port))).bindErrors.size, 0);
    assert.equal((await b.apply(ir(port))).bindErrors.size, 0, 'a second worker binds the same ports');
    const refused = (await c.apply(ir(port))).bindErrors;
    assert.match(refused.get(`127.0.0.1:${port}`) ?? '', /EADDRINUSE/, 'an exclusive bind is refused');
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});
