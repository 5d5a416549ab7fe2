/**
 * Small pieces of Go behaviour the echo backends reproduce because the suite reads them back:
 * Go duration syntax (`delay=500ms`), canonical MIME header keys (`x-header` → `X-Header`) and the
 * identity environment variables every echo-basic mode reports.
 */

/** Pod identity as the echo servers report it (echo-contract §1); unset variables are "". */
export interface Identity {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

/** Reads POD_NAME, NAMESPACE, SERVICE_NAME and INGRESS_NAME from a pod environment. */
export function identityFromEnv(env: Record<string, string | undefined>): Identity {
  return { namespace: env.NAMESPACE ?? '', ingress: env.INGRESS_NAME ?? '', service: env.SERVICE_NAME ?? '', pod: env.POD_NAME ?? '' };
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A parsed value or the error text Go would give. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Parses a Go duration ("300ms", "-1.5h", "2h45m", "0") into milliseconds, with Go's error text for
 * anything else (`time: invalid duration "x"`, `time: missing unit in duration "5"`).
 */
export function parseGoDuration(s: string): Parsed<number> {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest[0] === '-' || rest[0] === '+') {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, value: 0 };
  if (rest === '') return { ok: false, error: `time: invalid duration ${quoted}` };
  let total = 0;
  while (rest !== '') {
    const num = /^(\d*)(\.\d*)?/.exec(rest)!;
    if (num[0] === '' || num[0] === '.') return { ok: false, error: `time: invalid duration ${quoted}` };
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') return { ok: false, error: `time: missing unit in duration ${quoted}` };
    const mult = UNIT_MS[unit];
    if (mult === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` };
    rest = rest.slice(unit.length);
    total += Number(num[0]) * mult;
  }
  return { ok: true, value: sign * total };
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Go's textproto.CanonicalMIMEHeaderKey: the first letter and every letter after a hyphen upper
 * case, the rest lower case; keys with characters outside the token set are returned unchanged.
 */
export function canonicalHeaderKey(key: string): string {
  if (!TOKEN.test(key)) return key;
  let upper = true;
  let out = '';
  for (const ch of key) {
    out += upper ? ch.toUpperCase() : ch.toLowerCase();
    upper = ch === '-';
  }
  return out;
}

/** Go's json encoding escapes <, >, & and the JS line separators inside strings; so do we. */
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** "ip:port" (or "[ip]:port" for IPv6), Go's form of a remote address. */
export function hostPort(ip: string | undefined, port: number | undefined): string {
  const host = ip ?? '';
  return `${host.includes(':') ? `[${host}]` : host}:${port ?? 0}`;
}
