/**
 * L4 sockets across worker processes: a TCP listener and a UDP listener bind in every worker (SO_REUSEPORT,
 * no bind error), connections and client flows reach the upstream from both workers, and every datagram
 * of one UDP client goes through the same worker (one session per client, as in a single process).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo } from 'node:net';
import type { IR, IRSocket } from '../../ir/types.ts';
import { freePort } from '../../dataplane/testing.ts';
import { RemoteDataPlane } from './remote.ts';
import { reusePortSupported } from './reuseport.ts';
import { procNetAvailable, socketOwner } from './testing.ts';

const skip = !reusePortSupported() || !procNetAvailable() ? 'needs Linux (SO_REUSEPORT balancing and /proc)' : false;

function l4(protocol: 'TCP' | 'UDP', port: number, upstream: number): IRSocket {
  return {
    key: protocol === 'UDP' ? `127.0.0.1:${port}/udp` : `127.0.0.1:${port}`,
    address: '127.0.0.1',
    port,
    protocol,
    gateway: 't/gw',
    httpListeners: [],
    l4Listeners: [{
      name: `t/gw/${protocol}`,
      hostname: '',
      routes: [{ id: `${protocol}Route/t/r`, hostname: '*', backends: [{ name: 'up', weight: 1, endpoints: [{ address: '127.0.0.1', port: upstream }], protocol: 'http1', filters: [] }] }],
    }],
  };
}

/** Sends one datagram and resolves to the reply. */
function roundTrip(c: UdpSocket, port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    c.once('message', (m) => resolve(m.toString()));
    c.send(payload, port, '127.0.0.1');
  });
}

test('TCP and UDP listeners are shared by the workers; a UDP client stays on one worker', { skip }, async () => {
  const dp = await RemoteDataPlane.start({ workers: 2, logLevel: 'warn' });
  const pids = dp.pids();
  const tcpOwners: Array<number | undefined> = [];
  const tcpUp = createServer((s) => {
    tcpOwners.push(socketOwner(s.remotePort ?? 0, (tcpUp.address() as AddressInfo).port, pids));
    s.on('error', () => undefined);
    s.end('tcp\n');
  });
  await new Promise<void>((r) => tcpUp.listen(0, '127.0.0.1', r));
  // The UDP upstream echoes, and notes for each client (named in the payload) the worker and upstream port it came through.
  const udpUp = createSocket('udp4');
  const flows = new Map<string, Set<string>>();
  const udpOwners = new Set<number | undefined>();
  udpUp.on('message', (m, rinfo) => {
    const client = m.toString().split(' ')[0];
    const owner = socketOwner(rinfo.port, (udpUp.address() as AddressInfo).port, pids, 'udp');
    udpOwners.add(owner);
    flows.set(client, (flows.get(client) ?? new Set()).add(`${owner}:${rinfo.port}`));
    udpUp.send(m, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => udpUp.bind(0, '127.0.0.1', r));
  const clients: UdpSocket[] = [];
  try {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    const ir: IR = { version: 1, sockets: [l4('TCP', tcpPort, (tcpUp.address() as AddressInfo).port), l4('UDP', udpPort, (udpUp.address() as AddressInfo).port)] };
    assert.deepEqual((await dp.apply(ir)).bindErrors, new Map(), 'every worker bound both sockets');

    for (let i = 0; i < 30; i++) {
      const line = await new Promise<string>((resolve) => {
        let buf = '';
        const c = connect(tcpPort, '127.0.0.1');
        c.on('data', (d) => (buf += d));
        c.on('error', () => undefined);
        c.on('close', () => resolve(buf));
      });
      assert.equal(line, 'tcp\n');
    }
    assert.deepEqual(new Set(tcpOwners), new Set(pids), 'TCP connections were spliced by both workers');

    for (let i = 0; i < 30; i++) {
      const c = createSocket('udp4');
      clients.push(c);
      await new Promise<void>((r) => c.bind(0, '127.0.0.1', r));
      for (let n = 0; n < 3; n++) assert.equal(await roundTrip(c, udpPort, `c${i} ${n}`), `c${i} ${n}`);
    }
    assert.deepEqual(udpOwners, new Set(pids), 'UDP clients were relayed by both workers');
    for (const [client, via] of flows) assert.equal(via.size, 1, `${client}: every datagram through one worker and one session (${[...via]})`);
  } finally {
    for (const c of clients) c.close();
    await dp.close();
    await new Promise<void>((r) => tcpUp.close(() => r()));
    udpUp.close();
  }
});
