/**
 * A bare Node TCP pipe (no HTTP parsing): one backend connection per client connection, bytes copied both
 * ways. It is not a proxy anyone would deploy; it shows what Node's sockets alone cost, so the gap between
 * it and an HTTP proxy is the per-request work. Usage: node tcp-pipe.ts LISTEN_PORT BACKEND_PORT
 */
import { connect, createServer } from 'node:net';

const [port, backendPort] = process.argv.slice(2).map(Number);

createServer((client) => {
  client.setNoDelay(true);
  const up = connect({ host: '127.0.0.1', port: backendPort, noDelay: true });
  client.pipe(up).on('error', () => client.destroy());
  up.pipe(client).on('error', () => up.destroy());
  client.on('error', () => up.destroy());
  up.on('error', () => client.destroy());
  client.on('close', () => up.destroy());
  up.on('close', () => client.destroy());
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
