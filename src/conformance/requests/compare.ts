/**
 * `http.CompareRoundTrip` (helpers §2): decides whether one captured round trip matches an
 * expectation. Returns undefined on a match, else one precise reason.
 */
import type { ExpectedRequest, ExpectedResponse, RoundTripRequest } from './http-request.ts';
import type { RoundTripResult } from './http-client.ts';

const TIMEOUT_CODES = new Set([408, 504]);
const REDIRECT_CODES = new Set([300, 301, 302, 303, 304, 305, 307, 308]);

/** Compares a round trip with `expected` (whose defaults MakeRequest has filled in). */
export function compareRoundTrip(req: RoundTripRequest, expected: ExpectedResponse, rt: RoundTripResult): string | undefined {
  const status = rt.response.statusCode;
  const codes = expected.response?.statusCodes ?? [];
  if (TIMEOUT_CODES.has(status) && codes.some((c) => TIMEOUT_CODES.has(c))) return undefined;
  if (!codes.includes(status)) return `expected status one of [${codes.join(' ')}], got ${status}`;
  const proto = expected.response?.protocol;
  if (proto && proto !== rt.response.protocol) return `expected protocol ${proto}, got ${rt.response.protocol}`;
  if (status === 200 || status === 204) return compareEcho(expected, rt);
  if (REDIRECT_CODES.has(status)) return compareRedirect(req, expected, rt);
  return undefined;
}

function compareEcho(expected: ExpectedResponse, rt: RoundTripResult): string | undefined {
  const c = rt.request;
  const exp: ExpectedRequest = expected.expectedRequest ?? { ...expected.request };
  const method = exp.method || 'GET';
  if (exp.host && exp.host !== (c.host ?? '')) return `expected host ${q(exp.host)}, backend saw ${q(c.host)}`;
  if ((exp.path ?? '') !== (c.path ?? '')) return `expected path ${q(exp.path)}, backend saw ${q(c.path)}`;
  if (method !== (c.method ?? '')) return `expected method ${method}, backend saw ${q(c.method)}`;
  if ((expected.namespace ?? '') !== (c.namespace ?? '')) {
    return `expected namespace ${q(expected.namespace ?? '')}, backend reported ${q(c.namespace ?? '')}`;
  }
  const reqHeaders = lowerKeys(c.headers);
  if (exp.headers) {
    if (!c.headers) return `expected ${Object.keys(exp.headers).length} request headers at the backend, none captured`;
    for (const [name, want] of Object.entries(exp.headers)) {
      const got = reqHeaders[name.toLowerCase()];
      if (!got) return `expected request header ${name}: ${q(want)} at the backend, it was absent (backend saw ${fmtHeaders(reqHeaders)})`;
      if (got.join(',') !== want) return `expected request header ${name}: ${q(want)} at the backend, got ${q(got.join(','))}`;
    }
  }
  if (exp.httpPort && exp.httpPort !== (c.httpPort ?? '')) return `expected httpPort ${q(exp.httpPort)}, backend reported ${q(c.httpPort)}`;
  const bad = compareResponseHeaders(expected, rt.response.headers);
  if (bad) return bad;
  for (const name of exp.absentHeaders ?? []) {
    const got = reqHeaders[name.toLowerCase()];
    if (got) return `expected request header ${name} to be absent at the backend, it was ${q(got.join(','))}`;
  }
  const backend = expected.backend ?? '';
  if (!(c.pod ?? '').startsWith(backend)) return `expected a pod of ${backend}, response came from pod ${q(c.pod ?? '')}`;
  if (exp.sni && exp.sni !== (c.tls?.serverName ?? '')) return `expected backend SNI ${q(exp.sni)}, backend reported ${q(c.tls?.serverName ?? '')}`;
  if (exp.clientCert && !(c.tls?.peerCertificates ?? []).includes(exp.clientCert)) {
    return `expected the backend to have received the client certificate, it reported ${(c.tls?.peerCertificates ?? []).length} other certificate(s)`;
  }
  return undefined;
}

function compareResponseHeaders(expected: ExpectedResponse, headers: Record<string, string[]>): string | undefined {
  const r = expected.response ?? {};
  const norm = (s: string): string => (r.ignoreWhitespace ? s.replace(/\s+/g, '') : s);
  for (const [name, allowed] of Object.entries(r.validHeaderValues ?? {})) {
    const got = headers[name.toLowerCase()];
    if (!got) return `expected response header ${name}, it was absent (response had ${fmtHeaders(headers)})`;
    const v = norm(got.join(','));
    if (!allowed.some((a) => norm(a) === v)) return `expected response header ${name} to be one of ${JSON.stringify(allowed)}, got ${q(got.join(','))}`;
  }
  for (const [name, want] of Object.entries(r.headers ?? {})) {
    const got = headers[name.toLowerCase()];
    if (!got) return `expected response header ${name}: ${q(want)}, it was absent (response had ${fmtHeaders(headers)})`;
    if (norm(got.join(',')) !== norm(want)) return `expected response header ${name}: ${q(want)}, got ${q(got.join(','))}`;
  }
  for (const name of r.absentHeaders ?? []) {
    const got = headers[name.toLowerCase()];
    if (got) return `expected response header ${name} to be absent, it was ${q(got.join(','))}`;
  }
  return undefined;
}

function compareRedirect(req: RoundTripRequest, expected: ExpectedResponse, rt: RoundTripResult): string | undefined {
  const want = expected.redirectRequest;
  if (!want) return undefined;
  const got = rt.response.redirect;
  if (!got) return `expected a redirect with a Location header, got status ${rt.response.statusCode} without a usable Location`;
  const sent = new URL(req.url);
  const host = want.host || got.host;
  const scheme = want.scheme || sent.protocol.replace(/:$/, '');
  const path = want.path || safeDecode(sent.pathname);
  if (host !== got.host) return `expected redirect host ${q(host)}, Location had ${q(got.host)}`;
  if (!want.port) {
    if (got.scheme === 'http' && got.port !== '' && got.port !== '80') return `expected no port (or 80) in the http redirect, Location had ${q(got.port)}`;
    if (got.scheme === 'https' && got.port !== '' && got.port !== '443') return `expected no port (or 443) in the https redirect, Location had ${q(got.port)}`;
  } else if (String(want.port) !== got.port) {
    return `expected redirect port ${q(String(want.port))}, Location had ${q(got.port)}`;
  }
  if (scheme !== got.scheme) return `expected redirect scheme ${q(scheme)}, Location had ${q(got.scheme)}`;
  if (path !== got.path) return `expected redirect path ${q(path)}, Location had ${q(got.path)}`;
  return undefined;
}

function safeDecode(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

function lowerKeys(h: Record<string, string[]> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = Array.isArray(v) ? v.map(String) : [String(v)];
  return out;
}

function fmtHeaders(h: Record<string, string[]>): string {
  const e = Object.entries(h);
  return e.length === 0 ? '{}' : '{' + e.map(([k, v]) => `${k}: ${v.join(',')}`).join('; ') + '}';
}

function q(s: string | undefined): string {
  return JSON.stringify(s ?? '');
}
