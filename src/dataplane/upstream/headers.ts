/**
 * Header hygiene between client and upstream: hop-by-hop headers (RFC 9110 §7.6.1) are dropped in both
 * directions, including any named in Connection; X-Forwarded-* are appended on the way up.
 */
import type { HeaderBag } from '../filters/headers.ts';

/** Hop-by-hop names that never cross the proxy. Proxy-* headers are dropped by prefix. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/** True for a header that must not be forwarded. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-');
}

/**
 * Names listed in a Connection header ("close, X-Foo" → {"close", "x-foo"}), or undefined when none beyond the
 * hop-by-hop ones: the common "keep-alive" / "close" (every upstream response carries one) allocate nothing.
 */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length <= 10) {
    const v = value.toLowerCase();
    if (v === 'keep-alive' || v === 'close') return undefined;
  }
  const s = Array.isArray(value) ? value.join(',') : value;
  const out = new Set<string>();
  for (const t of s.split(',')) {
    const n = t.trim().toLowerCase();
    if (n) out.add(n);
  }
  return out;
}

/**
 * A copy of `h` without hop-by-hop headers and without HTTP/2 pseudo-headers (":path", ":status"...): the one
 * header-map copy each direction makes.
 */
export function copyEndToEnd(h: HeaderBag): HeaderBag {
  const extra = connectionTokens(h['connection']);
  const out: HeaderBag = {};
  for (const name in h) {
    if (name.charCodeAt(0) === 58 /* : */ || isHopByHop(name) || (extra !== undefined && extra.has(name))) continue;
    out[name] = h[name];
  }
  return out;
}

function append(h: HeaderBag, name: string, value: string): void {
  const cur = h[name];
  h[name] = cur === undefined ? value : `${Array.isArray(cur) ? cur.join(', ') : cur}, ${value}`;
}

/** Facts about the client connection used for X-Forwarded-*. */
export interface ClientInfo {
  readonly remoteAddress: string | undefined;
  /** "http" or "https". */
  readonly proto: string;
  /** The Host header as the client sent it. */
  readonly host: string | undefined;
}

/** Builds the upstream request headers: end-to-end headers of the client plus appended X-Forwarded-*. */
export function upstreamRequestHeaders(client: HeaderBag, info: ClientInfo): HeaderBag {
  const out = copyEndToEnd(client);
  if (info.remoteAddress !== undefined) append(out, 'x-forwarded-for', info.remoteAddress);
  append(out, 'x-forwarded-proto', info.proto);
  if (info.host !== undefined) append(out, 'x-forwarded-host', info.host);
  return out;
}

/**
 * Request headers for an HTTP/2 upstream stream: pseudo-headers from the method, path and Host (which becomes
 * :authority), plus the end-to-end headers. `te: trailers` is the one TE value HTTP/2 allows; it is kept when
 * the client sent it, since gRPC servers rely on it.
 */
export function h2RequestHeaders(h: HeaderBag, method: string, path: string, teTrailers: boolean): HeaderBag {
  const out: HeaderBag = { ':method': method, ':path': path, ':scheme': 'http' };
  const host = h['host'];
  if (host !== undefined) out[':authority'] = Array.isArray(host) ? host[0] : host;
  for (const name in h) if (name !== 'host') out[name] = h[name];
  if (teTrailers) out['te'] = 'trailers';
  return out;
}

/** Whether a client's TE header asks for trailers. */
export function wantsTrailers(te: string | string[] | undefined): boolean {
  if (te === undefined) return false;
  return (Array.isArray(te) ? te.join(',') : te).toLowerCase().includes('trailers');
}
