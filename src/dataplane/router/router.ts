/**
 * Pure request matching over compiled tables: socket → listener (most specific hostname) → virtual host
 * (most specific hostname) → first route whose match holds. No allocation beyond the lazily parsed query.
 */
import { matchPath, matchValue } from '../compile/matchers.ts';
import type { CompiledRoute, CompiledSocket } from '../compile/types.ts';
import { normaliseHost } from './hosts.ts';
import { parseQuery, type QueryParams } from './query.ts';

/** The request facts the router reads. `headers` uses Node's lower-case keys. */
export interface RouteRequest {
  readonly host: string | undefined;
  readonly method: string;
  readonly path: string;
  /** The raw query string without "?", or "" when there is none. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** Why no route was found (all answer 404; the reason is for logs). */
export type NoMatchReason = 'NoListener' | 'NoVirtualHost' | 'NoRoute';

/** The route that serves a request, or the reason none does. */
export type RouteResult = { readonly route: CompiledRoute; readonly host: string } | { readonly route: undefined; readonly reason: NoMatchReason };

const NO_LISTENER: RouteResult = Object.freeze({ route: undefined, reason: 'NoListener' });
const NO_VHOST: RouteResult = Object.freeze({ route: undefined, reason: 'NoVirtualHost' });
const NO_ROUTE: RouteResult = Object.freeze({ route: undefined, reason: 'NoRoute' });

/** Finds the route for a request on a socket. */
export function matchRoute(socket: CompiledSocket, req: RouteRequest): RouteResult {
  const host = normaliseHost(req.host);
  const listener = socket.listeners.lookup(host);
  if (listener === undefined) return NO_LISTENER;
  const vhost = listener.vhosts.lookup(host);
  if (vhost === undefined) return NO_VHOST;
  let query: QueryParams | undefined;
  const routes = vhost.routes;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i];
    if (r.method !== undefined && r.method !== req.method) continue;
    if (!matchPath(r.path, req.path)) continue;
    if (!headersMatch(r, req.headers)) continue;
    if (r.query.length > 0) {
      query ??= parseQuery(req.query);
      if (!queryMatches(r, query)) continue;
    }
    return { route: r, host };
  }
  return NO_ROUTE;
}

function headersMatch(r: CompiledRoute, headers: RouteRequest['headers']): boolean {
  const ms = r.headers;
  for (let i = 0; i < ms.length; i++) {
    const v = headers[ms[i].name];
    // Node joins repeated headers into one string (joinDuplicateHeaders); set-cookie stays an array.
    if (!matchValue(ms[i], Array.isArray(v) ? v.join(', ') : v)) return false;
  }
  return true;
}

function queryMatches(r: CompiledRoute, q: QueryParams): boolean {
  const ms = r.query;
  for (let i = 0; i < ms.length; i++) if (!matchValue(ms[i], q.get(ms[i].name))) return false;
  return true;
}
