import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An HTTP server on 127.0.0.1 answering "<name> <method> <path>" — a backend whose identity a test can check. */
export async function namedBackend(name: string): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    res.end(`${name} ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** One HTTP/1.1 request without keep-alive; resolves with status and body (never rejects on HTTP errors). */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the last value. */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let last: T;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (Date.now() > end) throw err;
    }
    if (Date.now() > end) return last!;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when this process may bind ports below 1024. */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
