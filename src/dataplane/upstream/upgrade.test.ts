import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { HttpDataPlane } from '../index.ts';
import { backend, freePort, route, simpleIR } from '../testing.ts';

describe('WebSocket upgrades', () => {
  let wss: WebSocketServer;
  let dp: HttpDataPlane;
  let port: number;

  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`${req.url} ${req.headers['x-added']} ${String(m)}`)));
    port = await freePort();
    dp = new HttpDataPlane();
    const up = (wss.address() as AddressInfo).port;
    await dp.apply(simpleIR(1, port, [
      route('ws', [backend('ws', [up], { protocol: 'ws' })], {
        match: { path: { type: 'PathPrefix', value: '/ws' } },
        filters: [
          { type: 'RequestHeaderModifier', set: [['X-Added', 'yes']], add: [], remove: [] },
          { type: 'URLRewrite', path: { type: 'ReplacePrefixMatch', value: '/', prefix: '/ws' } },
        ],
      }),
    ]));
  });
  after(async () => {
    await dp.close();
    await new Promise<void>((r) => wss.close(() => r()));
  });

  it('splices client and upstream after a 101, with request filters applied', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/chat`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send('hello');
    const reply = await new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
    assert.equal(reply, '/chat yes hello');
    ws.close();
    await new Promise((r) => ws.once('close', r));
  });

  it('answers 404 to an upgrade with no route', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/nope`);
    ws.on('error', () => undefined); // terminate() below makes ws report the aborted handshake
    const status = await new Promise<number>((r) => ws.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    assert.equal(status, 404);
    ws.terminate();
  });
});
