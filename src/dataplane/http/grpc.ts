/**
 * The gateway's own answers to gRPC clients. A gRPC client reads the outcome of a call from grpc-status,
 * not from the HTTP status, so a plain-text 404 would reach it as a vague transport error. Requests whose
 * content-type is application/grpc (or application/grpc+proto, ...; not grpc-web, which frames its status
 * differently) therefore get a "trailers-only" response instead: HTTP 200 and grpc-status/grpc-message in
 * the one HEADERS frame that also ends the stream.
 *
 * The decision is the request's, not the route's: a call that matches no route has no route to ask. gRPC
 * runs over HTTP/2 only, so HTTP/1.1 requests always get the plain answer.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { Http2ServerResponse } from 'node:http2';
import type { ClientResponse } from './client.ts';

/** gRPC status codes the gateway itself produces. */
export const GrpcStatus = {
  Internal: 13,
  Unimplemented: 12,
  Unavailable: 14,
  DeadlineExceeded: 4,
  PermissionDenied: 7,
  Unauthenticated: 16,
  Unknown: 2,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/**
 * HTTP status of a local answer → gRPC status. 404 (no route) and 501 (a GRPCRoute rule that forwards
 * nowhere) are UNIMPLEMENTED as the GRPCRoute specification and gRPC's HTTP mapping say; 502/503 are
 * UNAVAILABLE (503 is also what an invalid GRPCRoute backend gets); 504 is a deadline the gateway gave up
 * on; 500 (a route that cannot be served) is INTERNAL.
 */
const FROM_HTTP: Readonly<Record<number, GrpcStatus>> = {
  400: GrpcStatus.Internal,
  401: GrpcStatus.Unauthenticated,
  403: GrpcStatus.PermissionDenied,
  404: GrpcStatus.Unimplemented,
  429: GrpcStatus.Unavailable,
  500: GrpcStatus.Internal,
  501: GrpcStatus.Unimplemented,
  502: GrpcStatus.Unavailable,
  503: GrpcStatus.Unavailable,
  504: GrpcStatus.DeadlineExceeded,
};

/** The gRPC status a local answer with this HTTP status becomes. */
export function grpcStatusFor(httpStatus: number): GrpcStatus {
  return FROM_HTTP[httpStatus] ?? GrpcStatus.Unknown;
}

/** True when the content-type names gRPC proper ("application/grpc", optionally "+codec" or parameters). */
export function isGrpcContentType(value: string | string[] | undefined): boolean {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.length < 16 || v.slice(0, 16).toLowerCase() !== 'application/grpc') return false;
  const next = v.charCodeAt(16);
  return Number.isNaN(next) || next === 43 /* + */ || next === 59 /* ; */;
}

/**
 * grpc-message is percent-encoded (gRPC over HTTP/2): everything outside printable ASCII, and "%" itself.
 * Local messages are short, so the simple loop is fine.
 */
export function encodeGrpcMessage(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Sends a head that also ends the HTTP/2 stream (one HEADERS frame with END_STREAM): the "trailers-only"
 * form gRPC uses for a call that fails before any message, where grpc-status sits in that head. The head is
 * sent by end() with no earlier writeHead(), the one way node:http2's compatibility API sets END_STREAM on
 * it. Returns false (and sends nothing) on HTTP/1.1, which has no such form.
 */
export function sendTrailersOnly(res: ClientResponse, status: number, headers: OutgoingHttpHeaders): boolean {
  if (!(res instanceof Http2ServerResponse)) return false;
  res.statusCode = status;
  for (const name in headers) {
    const v = headers[name];
    if (v !== undefined) res.setHeader(name, v);
  }
  res.end();
  return true;
}

/** True when the gateway's own answer to this exchange should be a gRPC status: an HTTP/2 gRPC call. */
export function wantsGrpcAnswer(res: ClientResponse): boolean {
  return res instanceof Http2ServerResponse && isGrpcContentType(res.req.headers['content-type']);
}

/**
 * Sends a gRPC status as the gateway's own answer, trailers-only. Returns false (nothing sent) on
 * HTTP/1.1, where the caller answers in plain HTTP.
 */
export function sendGrpcStatus(res: ClientResponse, code: GrpcStatus, message: string): boolean {
  return sendTrailersOnly(res, 200, { 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': encodeGrpcMessage(message) });
}
