/** Small network helpers for the harness: free ports, one-shot requests, waiting for a server to answer. */
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One answer from httpCall. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP/1.1 request without keep-alive; connection errors become status 0 with the message as body. */
export function httpCall(url: string, opts: { method?: string; host?: string; body?: string; contentType?: string; timeoutMs?: number } = {}): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const u = new URL(url);
    const headers: Record<string, string> = { connection: 'close' };
    if (opts.host) headers.host = opts.host;
    if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    // https: the bench's self-signed certificate (bench/lib/tls.ts) is not checked.
    const send = u.protocol === 'https:' ? httpsRequest : request;
    const req = send({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: opts.method ?? 'GET', headers, agent: false, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', (e) => resolve({ status: 0, headers: {}, body: e.message }));
    });
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: e.message }));
    req.end(opts.body);
  });
}

/** Polls `url` until it answers 200, or throws after `timeoutMs` with the last answer. */
export async function waitFor200(url: string, timeoutMs = 20_000, host?: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: HttpAnswer | undefined;
  while (Date.now() < until) {
    last = await httpCall(url, { host, timeoutMs: 2000 });
    if (last.status === 200) return;
    await sleep(50);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last?.status} ${last?.body.slice(0, 200)})`);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
