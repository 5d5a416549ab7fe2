/**
 * The client side of an exchange, whichever protocol it arrived on: node:http objects for HTTP/1.1 and the
 * node:http2 compatibility objects for h2c. The handler, filters and forwarder use only members both share
 * (url, method, headers, socket, pipe / writeHead, end, headersSent, destroy, 'close').
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

/** A client request, HTTP/1.1 or HTTP/2. */
export type ClientRequest = IncomingMessage | Http2ServerRequest;

/** A client response, HTTP/1.1 or HTTP/2. */
export type ClientResponse = ServerResponse | Http2ServerResponse;

/** The Host of a request: the Host header, else HTTP/2's :authority. */
export function requestHost(req: ClientRequest): string | undefined {
  const h = req.headers;
  return h.host ?? (h[':authority'] as string | undefined);
}

/** True for an HTTP/2 response, which must not carry connection-specific headers (Connection, Keep-Alive...). */
export function isH2(res: ClientResponse): res is Http2ServerResponse {
  return res instanceof Http2ServerResponse;
}

/** Whether a request carries a body: framing headers on HTTP/1.1, no END_STREAM on the HEADERS frame for HTTP/2. */
export function requestHasBody(req: ClientRequest): boolean {
  if (req instanceof Http2ServerRequest) return !req.stream.endAfterHeaders;
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const cl = req.headers['content-length'];
  return cl !== undefined && cl !== '0';
}

/** Sends a response head. HTTP/2 has no reason phrase, so `message` only reaches HTTP/1.1 clients. */
export function writeHead(res: ClientResponse, status: number, message: string | undefined, headers: OutgoingHttpHeaders): void {
  if (isH2(res)) res.writeHead(status, headers);
  else if (message === undefined || message === '') res.writeHead(status, headers);
  else res.writeHead(status, message, headers);
}
