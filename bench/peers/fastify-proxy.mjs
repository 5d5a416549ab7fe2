// Peer: @fastify/http-proxy (undici-based via @fastify/reply-from) on fastify, defaults otherwise.
// Usage: node fastify-proxy.mjs LISTEN_PORT BACKEND_PORT
import Fastify from 'fastify';
import proxy from '@fastify/http-proxy';

const [port, backendPort] = process.argv.slice(2).map(Number);
const app = Fastify({ logger: false, keepAliveTimeout: 120_000 });
await app.register(proxy, { upstream: `http://127.0.0.1:${backendPort}` });
await app.listen({ host: '127.0.0.1', port });
process.on('SIGTERM', () => process.exit(0));
