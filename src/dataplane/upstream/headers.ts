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

/** Names listed in a Connection header ("close, X-Foo" → {"close", "x-foo"}), or undefined when none. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const s = Array.isArray(value) ? value.join(',') : value;
  const out = new Set<string>();
  for (const t of s.split(',')) {
    const n = t.trim().toLowerCase();
    if (n) out.add(n);
  }
  return out;
}

/** A copy of `h` without hop-by-hop headers: the one header-map copy each direction makes. */
export function copyEndToEnd(h: HeaderBag): HeaderBag {
  const extra = connectionTokens(h['connection']);
  const out: HeaderBag = {};
  for (const name in h) {
    if (isHopByHop(name) || (extra !== undefined && extra.has(name))) continue;
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
