/** RequestRedirect: builds the absolute Location for a redirect filter. */
import type { IRPathModifier } from '../../ir/types.ts';
import { modifyPath } from './path.ts';

/** The redirect filter as the IR carries it. */
export interface RedirectSpec {
  readonly scheme?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly path?: IRPathModifier;
  readonly statusCode: number;
}

/** What the request looked like, as the redirect needs it. */
export interface RedirectInput {
  /** Scheme the client used ("http" on a plain listener). */
  readonly scheme: string;
  /** Host without port, as matched. */
  readonly host: string;
  /** Port of the listener the request arrived on. */
  readonly listenerPort: number;
  readonly path: string;
  /** Query string including its "?", or "". */
  readonly search: string;
}

const WELL_KNOWN: Record<string, number> = { http: 80, https: 443 };

/**
 * Port rules of the spec: an explicit port wins; otherwise a redirect that sets a scheme uses that scheme's
 * well-known port (the listener port when it has none); otherwise the listener port. The port is left out of
 * Location when it is the well-known port of the resulting scheme.
 */
export function redirectLocation(r: RedirectSpec, req: RedirectInput): string {
  const scheme = (r.scheme ?? req.scheme).toLowerCase();
  const host = r.hostname ?? req.host;
  let port: number;
  if (r.port !== undefined) port = r.port;
  else if (r.scheme !== undefined) port = WELL_KNOWN[scheme] ?? req.listenerPort;
  else port = req.listenerPort;
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host; // bare IPv6 literal
  const portPart = WELL_KNOWN[scheme] === port ? '' : `:${port}`;
  const path = r.path ? modifyPath(req.path, r.path) : req.path;
  return `${scheme}://${hostPart}${portPart}${path}${req.search}`;
}
