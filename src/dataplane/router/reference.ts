/**
 * A slow, obviously-correct matcher written straight from the Gateway API rules, used only by property tests
 * to check the compiled router. It works on the IR directly and favours clarity over speed everywhere.
 * Test patterns are drawn from a fixed, safe set, so the native RegExp here never sees user input.
 */
import type { IRHttpListener, IRRoute, IRSocket, IRStringMatch, IRVirtualHost } from '../../ir/types.ts';

/** A request as the reference sees it: header pairs as sent (any case, maybe repeated). */
export interface RefRequest {
  readonly host: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: readonly (readonly [string, string])[];
}

function hostOf(header: string): string {
  let h = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0];
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}

/** Specificity of a hostname pattern for a host: -1 = no match; exact beats any wildcard; longer wildcards win. */
function specificity(pattern: string, host: string): number {
  const p = pattern.toLowerCase();
  if (p === '' || p === '*') return 0;
  if (p.startsWith('*.')) {
    const suffixLabels = p.slice(2).split('.');
    const hostLabels = host.split('.');
    if (hostLabels.length <= suffixLabels.length) return -1; // the wildcard stands for at least one label
    const tail = hostLabels.slice(hostLabels.length - suffixLabels.length);
    return tail.join('.') === suffixLabels.join('.') ? 1 + p.length : -1;
  }
  return p === host ? Number.MAX_SAFE_INTEGER : -1;
}

function best<T>(items: readonly T[], hostname: (t: T) => string, host: string): T | undefined {
  let winner: T | undefined;
  let score = -1;
  for (const it of items) {
    const s = specificity(hostname(it), host);
    if (s > score) {
      score = s;
      winner = it;
    }
  }
  return winner;
}

function segments(path: string): string[] {
  const s = path.split('/');
  while (s.length > 1 && s[s.length - 1] === '') s.pop();
  return s;
}

function pathMatches(r: IRRoute, path: string): boolean {
  const m = r.match.path;
  if (m.type === 'Exact') return m.value === path;
  if (m.type === 'RegularExpression') return new RegExp(`^(?:${m.value})$`).test(path);
  const want = segments(m.value);
  if (m.value === '/' || want.length === 1) return true;
  const have = path.split('/');
  return want.every((seg, i) => have[i] === seg);
}

function firstByName(list: readonly IRStringMatch[], fold: boolean): IRStringMatch[] {
  const seen: string[] = [];
  return list.filter((m) => {
    const n = fold ? m.name.toLowerCase() : m.name;
    if (seen.includes(n)) return false;
    seen.push(n);
    return true;
  });
}

function valueMatches(m: IRStringMatch, v: string | undefined): boolean {
  if (v === undefined) return false;
  return m.type === 'Exact' ? v === m.value : new RegExp(`^(?:${m.value})$`).test(v);
}

function routeMatches(r: IRRoute, req: RefRequest): boolean {
  if (r.match.method !== undefined && r.match.method !== req.method) return false;
  if (!pathMatches(r, req.path)) return false;
  for (const m of firstByName(r.match.headers, true)) {
    const values = req.headers.filter(([n]) => n.toLowerCase() === m.name.toLowerCase()).map(([, v]) => v);
    if (!valueMatches(m, values.length ? values.join(', ') : undefined)) return false;
  }
  const params = new URLSearchParams(req.query);
  for (const m of firstByName(r.match.queryParams, false)) {
    if (!valueMatches(m, params.get(m.name) ?? undefined)) return false;
  }
  return true;
}

/** The id of the route that should serve `req` on `socket`, or undefined for 404. */
export function referenceMatch(socket: IRSocket, req: RefRequest): string | undefined {
  const host = hostOf(req.host);
  const listener = best<IRHttpListener>(socket.httpListeners, (l) => l.hostname, host);
  if (!listener) return undefined;
  const vhost = best<IRVirtualHost>(listener.virtualHosts, (v) => v.hostname, host);
  if (!vhost) return undefined;
  return vhost.routes.find((r) => routeMatches(r, req))?.id;
}
