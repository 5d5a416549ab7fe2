/**
 * The HTTP expectation model (`http.ExpectedResponse` in the corpus) and `http.MakeRequest`:
 * fill the defaults into the expectation and build the request the round tripper sends
 * (helpers §2, "Request construction").
 */
import { calculateHost } from './util.ts';

/** A request as the tests write it (also the base of `expectedRequest`). */
export interface HttpRequestSpec {
  host?: string;
  method?: string;
  path?: string;
  /** Name → one string (several values joined with ','). */
  headers?: Record<string, string>;
  unfollowRedirect?: boolean;
  protocol?: string;
  body?: string;
  /** Expectations only: the SNI / client certificate the backend must report. */
  sni?: string;
  clientCert?: string;
}

/** What the backend must have received. */
export interface ExpectedRequest extends HttpRequestSpec {
  absentHeaders?: string[];
  httpPort?: string;
}

/** Expected redirect target (unset fields default from the request, see CompareRoundTrip). */
export interface RedirectExpectation {
  scheme?: string;
  host?: string;
  port?: string;
  path?: string;
}

/** Expectations on the HTTP response. */
export interface ResponseExpectation {
  /** Deprecated single code; MakeRequest merges it into statusCodes. */
  statusCode?: number;
  statusCodes?: number[];
  headers?: Record<string, string>;
  validHeaderValues?: Record<string, string[]>;
  absentHeaders?: string[];
  protocol?: string;
  ignoreWhitespace?: boolean;
}

/** One mirror target of a request mirror filter. */
export interface MirroredTo {
  name: string;
  namespace: string;
  percent?: number;
}

/** `http.ExpectedResponse`. */
export interface ExpectedResponse {
  request: HttpRequestSpec;
  expectedRequest?: ExpectedRequest;
  redirectRequest?: RedirectExpectation;
  backendSetResponseHeaders?: Record<string, string>;
  response?: ResponseExpectation;
  backend?: string;
  namespace?: string;
  mirroredTo?: MirroredTo[];
  testCaseName?: string;
}

/** What the round tripper sends (`roundtripper.Request`). */
export interface RoundTripRequest {
  method: string;
  /** Absolute URL (scheme, host[:port], path and raw query). */
  url: string;
  /** Host header / :authority. */
  host: string;
  /** HTTP, HTTPS, H2 or H2C_PRIOR_KNOWLEDGE. */
  protocol: string;
  headers: Record<string, string>;
  body?: string;
  unfollowRedirect: boolean;
  /** TLS: SNI and verification name. */
  serverName?: string;
  /** TLS: the only trusted certificate (PEM). */
  caPem?: string;
  /** TLS: client key pair, offered only when the server asks. */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** TLS: told after each handshake whether the server asked for a client certificate. */
  onHandshake?: (clientCertRequested: boolean) => void;
}

/** The header name form Go sends (textproto.CanonicalMIMEHeaderKey). */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name; // Go leaves invalid names as they are
  return name
    .split('-')
    .map((p) => (p === '' ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join('-');
}

/** The header value the echo uses to set response headers (X-Echo-Set-Header). */
export function echoSetHeaderValue(headers: Record<string, string> | undefined): string {
  if (!headers) return '';
  return Object.entries(headers)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
}

/** Accepts the corpus' expectation object, checking only what would crash later. */
export function asExpectedResponse(value: unknown, op: string): ExpectedResponse {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`harness: ${op}: 'expected' must be an object`);
  }
  const e = value as ExpectedResponse;
  if (e.request === undefined) e.request = {};
  if (typeof e.request !== 'object' || e.request === null) throw new Error(`harness: ${op}: expected.request must be an object`);
  return e;
}

/**
 * `http.MakeRequest`: fills defaults INTO `expected` (method GET, deprecated statusCode merged
 * into statusCodes, statusCodes [200], request.protocol) and returns the request to send.
 */
export function makeRequest(expected: ExpectedResponse, gwAddr: string, protocol: string, scheme: string): RoundTripRequest {
  const req = expected.request;
  if (!req.method) req.method = 'GET';
  const response = (expected.response ??= {});
  const codes = (response.statusCodes ??= []);
  if (response.statusCode && !codes.includes(response.statusCode)) codes.push(response.statusCode);
  if (codes.length === 0) codes.push(200);
  if (!req.protocol) req.protocol = protocol;

  const path = req.path ?? '';
  const q = path.indexOf('?');
  const pathPart = q < 0 ? path : path.slice(0, q);
  const rawQuery = q < 0 ? '' : path.slice(q + 1);
  const urlHost = calculateHost(gwAddr, scheme);
  const url = `${scheme}://${urlHost}${pathPart.startsWith('/') || pathPart === '' ? '' : '/'}${pathPart}${q < 0 ? '' : '?' + rawQuery}`;

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[canonicalHeaderName(k)] = String(v);
  headers['X-Echo-Set-Header'] = echoSetHeaderValue(expected.backendSetResponseHeaders);
  return {
    method: req.method,
    url,
    host: req.host || urlHost,
    protocol: req.protocol,
    headers,
    body: req.body ? req.body : undefined,
    unfollowRedirect: req.unfollowRedirect === true,
  };
}
