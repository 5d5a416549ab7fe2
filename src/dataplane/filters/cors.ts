/**
 * CORS filter: origin matching (exact, "*", and "scheme://*.suffix" wildcards that swallow any number of
 * labels), preflight answers, and the headers added to actual cross-origin responses.
 */
import type { HeaderBag } from './headers.ts';

/** The IR CORS filter fields this module reads. */
export interface CorsSpec {
  readonly allowOrigins: readonly string[];
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAge: number;
}

interface OriginPattern {
  readonly scheme: string;
  /** Exact host, or "" with `suffix` set for wildcards; "*" host matches any host. */
  readonly host: string;
  /** ".bar.com" for "*.bar.com"; "" when exact. */
  readonly suffix: string;
  readonly port: number;
}

/** A CORS filter compiled once: origin patterns parsed, header values pre-joined. */
export interface CompiledCors {
  readonly anyOrigin: boolean;
  readonly origins: readonly OriginPattern[];
  readonly credentials: boolean;
  /** Pre-joined values, or '*' for a wildcard, or '' when not configured. */
  readonly methods: string;
  readonly headers: string;
  readonly expose: string;
  readonly maxAge: string;
}

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

/** Splits "scheme://host[:port]" into parts; undefined when it is not shaped like an origin. */
function parseOrigin(origin: string): { scheme: string; host: string; port: number } | undefined {
  const sep = origin.indexOf('://');
  if (sep <= 0) return undefined;
  const scheme = origin.slice(0, sep).toLowerCase();
  let host = origin.slice(sep + 3).toLowerCase();
  let port = DEFAULT_PORT[scheme] ?? 0;
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && !host.endsWith(']')) {
    port = Number(host.slice(colon + 1));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
    host = host.slice(0, colon);
  }
  if (host.length === 0 || host.includes('/')) return undefined;
  return { scheme, host, port };
}

function joinList(list: readonly string[]): string {
  return list.includes('*') ? '*' : list.join(', ');
}

/** Compiles a CORS filter; unparsable origin patterns are dropped (admission should have rejected them). */
export function compileCors(c: CorsSpec): CompiledCors {
  const origins: OriginPattern[] = [];
  for (const o of c.allowOrigins) {
    if (o === '*') continue;
    const p = parseOrigin(o);
    if (!p) continue;
    if (p.host === '*') origins.push({ scheme: p.scheme, host: '*', suffix: '', port: p.port });
    else if (p.host.startsWith('*.')) origins.push({ scheme: p.scheme, host: '', suffix: p.host.slice(1), port: p.port });
    else origins.push({ scheme: p.scheme, host: p.host, suffix: '', port: p.port });
  }
  return {
    anyOrigin: c.allowOrigins.includes('*'),
    origins,
    credentials: c.allowCredentials,
    methods: joinList(c.allowMethods),
    headers: joinList(c.allowHeaders),
    expose: joinList(c.exposeHeaders),
    maxAge: c.maxAge > 0 ? String(Math.floor(c.maxAge)) : '',
  };
}

/** Whether the request's Origin is allowed by the filter. */
export function originAllowed(c: CompiledCors, origin: string): boolean {
  if (c.anyOrigin) return true;
  const o = parseOrigin(origin);
  if (!o) return false;
  for (const p of c.origins) {
    if (p.scheme !== o.scheme || p.port !== o.port) continue;
    if (p.host === '*') return true;
    if (p.suffix !== '' ? o.host.endsWith(p.suffix) && o.host.length > p.suffix.length : o.host === p.host) return true;
  }
  return false;
}

/** True for a CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, h: HeaderBag): boolean {
  return method === 'OPTIONS' && h['origin'] !== undefined && h['access-control-request-method'] !== undefined;
}

/** Headers common to preflight and actual responses for an allowed origin. */
function baseHeaders(c: CompiledCors, origin: string, out: HeaderBag): void {
  // Echoing the origin is always correct (and required with credentials); Vary keeps caches honest.
  out['access-control-allow-origin'] = origin;
  out['vary'] = out['vary'] ? `${out['vary']}, Origin` : 'Origin';
  if (c.credentials) out['access-control-allow-credentials'] = 'true';
  // A wildcard with credentials must not be sent as "*"; there is nothing to echo for response headers.
  if (c.expose !== '' && !(c.expose === '*' && c.credentials)) out['access-control-expose-headers'] = c.expose;
}

/** The headers of a preflight answer for an allowed origin. */
export function preflightHeaders(c: CompiledCors, origin: string, req: HeaderBag): HeaderBag {
  const out: HeaderBag = {};
  baseHeaders(c, origin, out);
  const reqMethod = req['access-control-request-method'];
  const reqHeaders = req['access-control-request-headers'];
  if (c.methods === '*' && c.credentials) {
    if (typeof reqMethod === 'string') out['access-control-allow-methods'] = reqMethod;
  } else if (c.methods !== '') out['access-control-allow-methods'] = c.methods;
  if (c.headers === '*' && c.credentials) {
    if (typeof reqHeaders === 'string') out['access-control-allow-headers'] = reqHeaders;
  } else if (c.headers !== '') out['access-control-allow-headers'] = c.headers;
  if (c.maxAge !== '') out['access-control-max-age'] = c.maxAge;
  return out;
}

/** Adds the CORS headers of an actual (non-preflight) response for an allowed origin. */
export function addActualHeaders(c: CompiledCors, origin: string, out: HeaderBag): void {
  baseHeaders(c, origin, out);
}
