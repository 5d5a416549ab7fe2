/** Local replies: short plain-text answers the gateway itself gives (404, 500, 502, 503, 504, ...). */
import type { HeaderBag } from '../filters/headers.ts';
import { isH2, writeHead, type ClientResponse } from './client.ts';
import { grpcStatusFor, sendGrpcStatus, wantsGrpcAnswer } from './grpc.ts';

/** Reason phrases used as bodies, kept short so they cost nothing to send. */
const BODIES: Record<number, string> = {
  400: 'bad request\n',
  403: 'forbidden\n',
  404: 'no route matched\n',
  421: 'misdirected request: open a new connection for this host\n',
  500: 'internal error: route cannot be served\n',
  501: 'not implemented: the matching rule forwards nowhere\n',
  502: 'bad gateway: invalid response from upstream\n',
  503: 'service unavailable: no healthy endpoints\n',
  504: 'gateway timeout\n',
};

/** The body of a local reply with this status (what sendLocal sends without an explicit body). */
export function localBody(status: number): string {
  return BODIES[status] ?? `status ${status}\n`;
}

/**
 * Sends a plain-text local reply, or destroys the connection when a response is already under way
 * (a status line can no longer be sent, and a truncated body must not look complete).
 * `close` adds "Connection: close" (used when an unread request body is left on the socket).
 */
export function sendLocal(res: ClientResponse, status: number, extra?: HeaderBag, close = false, body?: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const text = body ?? localBody(status);
  // gRPC clients read grpc-status, not the HTTP status: they get the same answer in gRPC form.
  if (wantsGrpcAnswer(res) && sendGrpcStatus(res, grpcStatusFor(status), text.trimEnd())) return;
  const headers: HeaderBag = extra ?? {};
  headers['content-type'] = 'text/plain; charset=utf-8';
  headers['content-length'] = String(Buffer.byteLength(text));
  if (close && !isH2(res)) headers['connection'] = 'close'; // HTTP/2 forbids the header; the stream ends anyway
  writeHead(res, status, undefined, headers);
  if (res.req?.method === 'HEAD') res.end();
  else res.end(text);
}

/** Sends a body-less reply (redirects, preflights) with the given headers. */
export function sendEmpty(res: ClientResponse, status: number, headers: HeaderBag): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  headers['content-length'] = '0';
  writeHead(res, status, undefined, headers);
  res.end();
}
