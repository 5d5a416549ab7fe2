/**
 * Reading the mesh echo client's stdout (echo-contract §6) and judging it (helpers §3): `Key=value`
 * fields found anywhere in the text (unanchored, first occurrence wins for single fields), request
 * headers accumulated, response headers replaced by a later line of the same name; for `--count=N`
 * sections separated by blank lines. The comparison checks exactly what the upstream mesh
 * comparator checks and nothing more.
 */

/** One parsed response. Header maps are keyed by lower-cased name (comparisons are case-insensitive). */
export interface MeshResponse {
  StatusCode: string;
  Hostname: string;
  Host: string;
  URL: string;
  Method: string;
  Proto: string;
  ServiceVersion: string;
  ServicePort: string;
  IP: string;
  RequestId: string;
  RequestHeaders: Map<string, string[]>;
  ResponseHeaders: Map<string, string[]>;
}

/** First `Key=value` on any line (the key may be preceded by anything, e.g. "[0 body] "). */
function first(text: string, key: string, flags = ''): string {
  const m = new RegExp(`${key}=(.*)`, flags).exec(text);
  return m ? m[1]!.replace(/\r$/, '') : '';
}

function headerLines(text: string, key: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of text.matchAll(new RegExp(`${key}=(.*)`, 'g'))) {
    const line = m[1]!.replace(/\r$/, '');
    const i = line.indexOf(':');
    if (i > 0) out.push([line.slice(0, i), line.slice(i + 1)]);
  }
  return out;
}

/** Parses one response section. */
export function parseMeshResponse(text: string): MeshResponse {
  const req = new Map<string, string[]>();
  for (const [k, v] of headerLines(text, 'RequestHeader')) req.set(k.toLowerCase(), [...(req.get(k.toLowerCase()) ?? []), v]);
  const res = new Map<string, string[]>();
  for (const [k, v] of headerLines(text, 'ResponseHeader')) res.set(k.toLowerCase(), [v]);
  return {
    StatusCode: first(text, 'StatusCode'),
    // "Hostname=" must not be read as "Host=": the Host pattern needs "Host=" literally.
    Hostname: first(text, 'Hostname'),
    Host: first(text, 'Host'),
    URL: first(text, 'URL'),
    Method: first(text, 'Method'),
    Proto: first(text, 'Proto'),
    ServiceVersion: first(text, 'ServiceVersion'),
    ServicePort: first(text, 'ServicePort'),
    IP: first(text, 'IP'),
    RequestId: first(text, 'X-Request-Id', 'i'),
    RequestHeaders: req,
    ResponseHeaders: res,
  };
}

/** `--count=N` output: sections split on blank lines, keeping those with a Hostname or a StatusCode. */
export function parseMeshResponses(text: string): MeshResponse[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map(parseMeshResponse)
    .filter((r) => r.Hostname !== '' || r.StatusCode !== '');
}

/** The parts of http.ExpectedResponse the mesh comparison reads. */
export interface MeshExpected {
  request?: { host?: string; method?: string; path?: string; protocol?: string; headers?: Record<string, string> };
  expectedRequest?: { headers?: Record<string, string>; absentHeaders?: string[] } | null;
  response?: { statusCode?: number; statusCodes?: number[]; headers?: Record<string, string>; absentHeaders?: string[] };
  backend?: string;
  [key: string]: unknown;
}

/** The accepted codes: statusCodes plus the deprecated statusCode, default [200]; for gRPC 0 reads as 200. */
export function expectedStatusCodes(exp: MeshExpected): number[] {
  const codes = [...(exp.response?.statusCodes ?? [])];
  const dep = exp.response?.statusCode;
  if (dep && !codes.includes(dep)) codes.push(dep);
  if (codes.length === 0) codes.push(200);
  return (exp.request?.protocol ?? '').toLowerCase() === 'grpc' ? codes.map((c) => (c === 0 ? 200 : c)) : codes;
}

const show = (m: Map<string, string[]>) => JSON.stringify(Object.fromEntries(m));

/** The mesh comparison (helpers §3): undefined when the response matches, else why not. */
export function compareMeshResponse(exp: MeshExpected, r: MeshResponse): string | undefined {
  if (!/^[+-]?\d+$/.test(r.StatusCode)) return `status code ${JSON.stringify(r.StatusCode)} is not an integer`;
  const codes = expectedStatusCodes(exp);
  if (!codes.includes(Number(r.StatusCode))) return `expected status code in ${JSON.stringify(codes)}, got ${r.StatusCode}`;
  for (const [name, want] of Object.entries(exp.expectedRequest?.headers ?? {})) {
    const got = r.RequestHeaders.get(name.toLowerCase());
    if (!got) return `expected request header ${name} to be present; the backend saw ${show(r.RequestHeaders)}`;
    if (got.join(',') !== want) return `expected request header ${name}=${JSON.stringify(want)}, the backend saw ${JSON.stringify(got.join(','))}`;
  }
  for (const name of exp.expectedRequest?.absentHeaders ?? []) {
    if (r.RequestHeaders.has(name.toLowerCase())) return `expected request header ${name} to be absent, the backend saw ${JSON.stringify(r.RequestHeaders.get(name.toLowerCase()))}`;
  }
  for (const name of exp.response?.absentHeaders ?? []) {
    const got = r.ResponseHeaders.get(name.toLowerCase());
    if (got && got.length) return `expected response header ${name} to be absent, got ${JSON.stringify(got)}`;
  }
  for (const [name, want] of Object.entries(exp.response?.headers ?? {})) {
    const got = r.ResponseHeaders.get(name.toLowerCase())?.[0];
    if (got === undefined) return `expected response header ${name} to be present; response headers ${show(r.ResponseHeaders)}`;
    if (got !== want) return `expected response header ${name}=${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
  }
  const backend = exp.backend ?? '';
  if (!r.Hostname.startsWith(backend)) return `expected a pod of ${backend}, response came from ${JSON.stringify(r.Hostname)}`;
  return undefined;
}
