/**
 * The "plain Node proxy" peer: node:http server + http.request through a keep-alive Agent, piping both
 * bodies. This is what a Node developer writes first; Gatehouse's targets are stated as ratios against it.
 * Usage: node plain-proxy.ts LISTEN_PORT BACKEND_PORT
 */
import { Agent, createServer, request } from 'node:http';

const [port, backendPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

const server = createServer((req, res) => {
  const up = request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
