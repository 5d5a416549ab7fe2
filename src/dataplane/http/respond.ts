/** Local replies: short plain-text answers the gateway itself gives (404, 500, 502, 503, 504, ...). */
import type { ServerResponse } from 'node:http';
import type { HeaderBag } from '../filters/headers.ts';

/** Reason phrases used as bodies, kept short so they cost nothing to send. */
const BODIES: Record<number, string> = {
  400: 'bad request\n',
  403: 'forbidden\n',
  404: 'no route matched\n',
  500: 'internal error: route cannot be served\n',
  502: 'bad gateway: upstream connection failed\n',
  503: 'service unavailable: no healthy endpoints\n',
  504: 'gateway timeout\n',
};

/**
 * Sends a plain-text local reply, or destroys the connection when a response is already under way
 * (a status line can no longer be sent, and a truncated body must not look complete).
 * `close` adds "Connection: close" (used when an unread request body is left on the socket).
 */
export function sendLocal(res: ServerResponse, status: number, extra?: HeaderBag, close = false, body?: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const text = body ?? BODIES[status] ?? `status ${status}\n`;
  const headers: HeaderBag = extra ?? {};
  headers['content-type'] = 'text/plain; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(text));
  if (close) headers['connection'] = 'close';
  res.writeHead(status, headers);
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

/** Sends a body-less reply (redirects, preflights) with the given headers. */
export function sendEmpty(res: ServerResponse, status: number, headers: HeaderBag): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  headers['content-length'] = '0';
  res.writeHead(status, headers);
  res.end();
}
