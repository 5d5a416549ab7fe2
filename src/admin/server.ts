/**
 * The admin API: the store served over HTTP with Kubernetes' REST paths, verbs, Status errors,
 * warnings and watch streams, so kubectl-style tools and the Gatehouse CLI can read and write
 * configuration while Gatehouse runs. Node's `http`, JSON only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../store/store.ts';
import { parseResourcePath, segmentsOf, deprecationWarning, type ResourceRoute } from './route.ts';
import { discovery } from './discovery.ts';
import { failure, fromError, notFoundPath, type Reply } from './reply.ts';
import { checkJsonContentType, checkPatchContentType, readJsonBody, DEFAULT_BODY_LIMIT } from './body.ts';
import { WatchHub, DEFAULT_HISTORY } from './watch-hub.ts';
import { serveWatch } from './watch.ts';
import { parseSelection } from './selectors.ts';
import { warningHeader } from './warning.ts';
import type { Admit } from './admission.ts';
import * as verbs from './resources.ts';

/** The admission hook's types, re-exported for callers of startAdminServer. */
export type { Admit, AdmitResult, AdmitError } from './admission.ts';

/** An extra handler (e.g. `/debug/ir`): returns true when it answered the request. Tried before a 404. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Options of startAdminServer. */
export interface AdminServerOptions {
  store: Store;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Validation and conversion run on every write; without it objects go to the store as sent. */
  admit?: Admit;
  log?: (s: string) => void;
  extraRoutes?: ExtraRoute | readonly ExtraRoute[];
  /** Request bodies larger than this get 413. Default 4 MiB. */
  maxBodyBytes?: number;
  /** How many past events a watch can resume from. Default DEFAULT_HISTORY (1,024). */
  watchHistory?: number;
}

/** A running admin server. */
export interface AdminServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** Ends watch streams, closes every connection and stops listening. */
  close(): Promise<void>;
  /** How many watch streams are open (for diagnostics and tests). */
  activeWatches(): number;
}

/** Everything a request handler needs, built once per server. */
interface Env {
  opts: AdminServerOptions;
  hub: WatchHub;
  extras: readonly ExtraRoute[];
  limit: number;
  watches: Set<ServerResponse>;
  address: string;
}

/** Starts the admin API on host:port (127.0.0.1:0 by default). */
export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const host = opts.host || '127.0.0.1';
  const extras = opts.extraRoutes === undefined ? [] : typeof opts.extraRoutes === 'function' ? [opts.extraRoutes] : opts.extraRoutes;
  const env: Env = {
    opts,
    hub: new WatchHub(opts.store, opts.watchHistory ?? DEFAULT_HISTORY),
    extras,
    limit: opts.maxBodyBytes ?? DEFAULT_BODY_LIMIT,
    watches: new Set(),
    address: '',
  };
  const server = createServer((req, res) => {
    handle(env, req, res).catch((err) => {
      opts.log?.(`admin: ${req.method} ${req.url}: ${(err as Error)?.stack ?? err}`);
      if (!res.headersSent) send(res, fromError(err));
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    env.hub.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  env.address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    url: `http://${env.address}`,
    close: () => {
      for (const res of env.watches) res.end();
      env.hub.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
    activeWatches: () => env.watches.size,
  };
}

async function handle(env: Env, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const t0 = performance.now();
  const url = new URL(req.url ?? '/', 'http://admin.invalid');
  const segs = segmentsOf(url.pathname);
  if (!segs) return send(res, failure(400, 'BadRequest', `malformed percent-encoding in path ${url.pathname}`));
  const method = req.method ?? 'GET';
  if (method === 'GET' && segs.length === 1 && (segs[0] === 'healthz' || segs[0] === 'readyz' || segs[0] === 'livez')) {
    return send(res, { code: 200, body: 'ok' });
  }
  const route = parseResourcePath(segs);
  if (!route || (route.subresource && !route.info.hasStatus)) {
    const doc = method === 'GET' ? discovery(segs, env.address) : undefined;
    if (doc) return send(res, doc);
    for (const extra of env.extras) if (await extra(req, res)) return;
    return send(res, notFoundPath());
  }
  const reply = await resourceRequest(env, route, method, url.searchParams, req, res);
  if (reply) {
    if (method !== 'GET' || reply.code >= 500) env.opts.log?.(`admin: ${method} ${url.pathname} ${reply.code} (${(performance.now() - t0).toFixed(1)} ms)`);
    send(res, reply);
  }
}

/** Serves a resource path; undefined when the response was streamed (watch). */
async function resourceRequest(
  env: Env,
  route: ResourceRoute,
  method: string,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Reply | undefined> {
  const ctx: verbs.VerbContext = { store: env.opts.store, admit: env.opts.admit, route };
  const dep = deprecationWarning(route.info, route.version);
  const warnings = dep ? [dep] : [];
  const withDep = (r: Reply): Reply => (dep && !r.warnings?.includes(dep) ? { ...r, warnings: [dep, ...(r.warnings ?? [])] } : r);
  const isCollection = route.name === undefined;

  if (method === 'GET') {
    if (route.subresource) return withDep(verbs.getObject(ctx));
    const w = query.get('watch');
    if (w === 'true' || w === '1') return startWatch(env, route, query, res, dep);
    if (isCollection) {
      const sel = parseSelection(query);
      return withDep('code' in sel ? sel : verbs.listObjects(ctx, sel));
    }
    return withDep(verbs.getObject(ctx));
  }
  if (isCollection) {
    if (method !== 'POST' || (route.info.namespaced && route.namespace === undefined)) return notAllowed(method);
    return withBody(env, req, false, (body) => verbs.createObject(ctx, body, warnings));
  }
  if (route.subresource === 'status') {
    if (method === 'PUT') return withBody(env, req, false, (body) => verbs.updateStatus(ctx, body, warnings));
    if (method === 'PATCH') return withPatch(env, req, (body) => verbs.patchStatus(ctx, body, warnings));
    return notAllowed(method);
  }
  if (method === 'PUT') return withBody(env, req, false, (body) => verbs.updateObject(ctx, body, warnings));
  if (method === 'PATCH') return withPatch(env, req, (body) => verbs.patchObject(ctx, body, warnings));
  if (method === 'DELETE') return withBody(env, req, true, async (body) => withDep(verbs.deleteObject(ctx, body)));
  return notAllowed(method);
}

function notAllowed(method: string): Reply {
  return failure(405, 'MethodNotAllowed', `the server does not allow this method (${method}) on the requested resource`);
}

async function withBody(env: Env, req: IncomingMessage, optional: boolean, fn: (body: unknown) => Promise<Reply>): Promise<Reply> {
  const bad = checkJsonContentType(req);
  if (bad && !optional) {
    req.resume();
    return bad;
  }
  const body = await readJsonBody(req, env.limit, optional);
  return body.ok ? fn(body.value) : body.reply;
}

async function withPatch(env: Env, req: IncomingMessage, fn: (body: unknown) => Promise<Reply>): Promise<Reply> {
  const bad = checkPatchContentType(req);
  if (bad) {
    req.resume();
    return bad;
  }
  const body = await readJsonBody(req, env.limit, false);
  return body.ok ? fn(body.value) : body.reply;
}

function startWatch(env: Env, route: ResourceRoute, query: URLSearchParams, res: ServerResponse, dep?: string): Reply | undefined {
  const selection = parseSelection(query);
  if ('code' in selection) return selection;
  const rv = query.get('resourceVersion') ?? undefined;
  if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv)) return failure(400, 'BadRequest', `invalid resourceVersion "${rv}"`);
  const timeout = Number(query.get('timeoutSeconds') ?? '');
  env.watches.add(res);
  res.on('close', () => env.watches.delete(res));
  serveWatch(res, env.opts.store, env.hub, {
    info: route.info,
    namespace: route.namespace,
    name: route.name,
    selection,
    resourceVersion: rv,
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
    headers: dep ? { warning: warningHeader([dep]) } : undefined,
  });
  return undefined;
}

/** Writes a reply: JSON (or text for string bodies), with `Warning: 299` headers. */
function send(res: ServerResponse, r: Reply): void {
  if (res.headersSent) return;
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string | string[]> = {
    'content-type': typeof r.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  };
  if (r.warnings?.length) headers.warning = warningHeader([...new Set(r.warnings)]);
  res.writeHead(r.code, headers);
  res.end(text);
}
