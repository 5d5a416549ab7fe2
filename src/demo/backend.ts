import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bundled example's backend: answers every request with a short text that shows what the
 * gateway forwarded (method, path, host, forwarded-for), so a new user can see routing happen.
 */
export async function startDemoBackend(host = '127.0.0.1', port = 0): Promise<{ server: Server; address: string; port: number }> {
  const server = createServer((req, res) => {
    const body =
      `Hello from the Gatehouse demo backend!\n\n` +
      `  method:          ${req.method}\n` +
      `  path:            ${req.url}\n` +
      `  host:            ${req.headers.host ?? ''}\n` +
      `  x-forwarded-for: ${req.headers['x-forwarded-for'] ?? ''}\n` +
      `  served by:       ${host}:${(server.address() as AddressInfo).port}\n`;
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const a = server.address() as AddressInfo;
  return { server, address: a.address, port: a.port };
}
