/**
 * The "plain Node proxy" peer: node:http server + http.request through a keep-alive Agent, piping both
 * bodies. This is what a Node developer writes first; Gatehouse's targets are stated as ratios against it.
 * Usage: node plain-proxy.ts LISTEN_PORT BACKEND_PORT [CERT_FILE KEY_FILE]   (with the files: https.createServer)
 */
import { readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

const [port, backendPort] = process.argv.slice(2, 4).map(Number);
const [certFile, keyFile] = process.argv.slice(4, 6);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

const handler = (req: IncomingMessage, res: ServerResponse): void => {
  const up = request({ host: '127.0.0.1', port: backendPort, method: req.method, path: req.url, headers: req.headers, agent }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
};
const server = certFile !== undefined ? createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handler) : createServer(handler);
server.keepAliveTimeout = 120_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
