// Peer: http-proxy (node-http-proxy) with a keep-alive agent to the backend.
// Usage: node http-proxy.mjs LISTEN_PORT BACKEND_PORT
import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';

const [port, backendPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${backendPort}`, agent });
proxy.on('error', (_err, _req, res) => {
  if (res.writeHead && !res.headersSent) res.writeHead(502);
  res.end();
});
const server = createServer((req, res) => proxy.web(req, res));
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
