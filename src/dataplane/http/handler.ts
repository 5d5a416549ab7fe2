/**
 * The per-request pipeline: route → route filters → backend choice → backend filters → forward.
 * The compiled version is read once by the caller and passed in, so a request finishes on the version it
 * started on even if a new one is swapped in meanwhile.
 */
import type { CompiledBackend } from '../compile/backends.ts';
import type { CompiledRoute, CompiledSocket } from '../compile/types.ts';
import { addActualHeaders, isPreflight, originAllowed, preflightHeaders } from '../filters/cors.ts';
import { applyHeaderModifier, type HeaderBag } from '../filters/headers.ts';
import { sendMirror, type MirrorContext } from '../filters/mirror.ts';
import { modifyPath } from '../filters/path.ts';
import type { FilterPlan } from '../filters/plan.ts';
import { redirectLocation } from '../filters/redirect.ts';
import { normalisePath } from '../router/normalize.ts';
import { matchRoute } from '../router/router.ts';
import { forward, type ResponseEditor } from '../upstream/forward.ts';
import { upstreamRequestHeaders } from '../upstream/headers.ts';
import type { UpstreamPools } from '../upstream/pool.ts';
import { requestHasBody, requestHost, type ClientRequest, type ClientResponse } from './client.ts';
import { sendEmpty, sendLocal } from './respond.ts';

/** What the handler needs from its owner: the upstream pools and the logger. */
export interface HandlerContext extends MirrorContext {
  /** HTTP/1.1 pools of plaintext endpoints (undici). */
  readonly pools: UpstreamPools;
}

/** Applies the response-side filters of the route and the chosen backend. */
class Edits implements ResponseEditor {
  readonly plans: FilterPlan[];
  readonly origin: string | undefined;
  constructor(plans: FilterPlan[], origin: string | undefined) {
    this.plans = plans;
    this.origin = origin;
  }
  edit(h: HeaderBag): void {
    for (const p of this.plans) {
      if (p.cors !== undefined && this.origin !== undefined && originAllowed(p.cors, this.origin)) addActualHeaders(p.cors, this.origin, h);
      for (const m of p.responseHeaders) applyHeaderModifier(h, m);
    }
  }
}

/** Request state the filters read and rewrite. */
interface Flow {
  readonly socket: CompiledSocket;
  readonly host: string;
  /** Path sent upstream: the client's own until a rewrite applies. */
  path: string;
  /** Normal form of `path` (see router/normalize.ts): what routes matched and path modifiers apply to. */
  normPath: string;
  readonly search: string;
  /** Host header to send upstream (URLRewrite hostname replaces it). */
  hostHeader: string | undefined;
}

/** Splits a request target into path and search ("?..." or ""); absolute-form targets keep only the path. */
export function splitTarget(url: string): [string, string] {
  let target = url;
  if (target.charCodeAt(0) !== 47 /* / */ && target !== '*') {
    const scheme = target.indexOf('://');
    const slash = scheme >= 0 ? target.indexOf('/', scheme + 3) : -1;
    target = slash >= 0 ? target.slice(slash) : '/';
  }
  const q = target.indexOf('?');
  return q < 0 ? [target, ''] : [target.slice(0, q), target.slice(q)];
}

/**
 * Runs the request-side part of a plan that can answer on its own (reject, CORS preflight, redirect).
 * Returns true when the request was answered.
 */
function answerLocally(plan: FilterPlan, flow: Flow, req: ClientRequest, res: ClientResponse): boolean {
  if (plan.reject !== undefined) {
    sendLocal(res, plan.reject.status);
    return true;
  }
  if (plan.cors !== undefined && isPreflight(req.method ?? '', req.headers)) {
    const origin = req.headers['origin'] as string;
    if (originAllowed(plan.cors, origin)) sendEmpty(res, 204, preflightHeaders(plan.cors, origin, req.headers));
    else sendLocal(res, 403);
    return true;
  }
  if (plan.redirect !== undefined) {
    const scheme = flow.socket.protocol === 'HTTPS' ? 'https' : 'http';
    // Without a path modifier the spec wants the request path as sent; a modifier works on the matched form.
    const path = plan.redirect.path === undefined ? flow.path : flow.normPath;
    const location = redirectLocation(plan.redirect, { scheme, host: flow.host, listenerPort: flow.socket.port, path, search: flow.search });
    const h: HeaderBag = { location };
    for (const m of plan.responseHeaders) applyHeaderModifier(h, m);
    sendEmpty(res, plan.redirect.statusCode, h);
    return true;
  }
  return false;
}

/** Applies URLRewrite of a plan to the flow. */
function rewrite(plan: FilterPlan, flow: Flow): void {
  const rw = plan.rewrite;
  if (rw === undefined) return;
  if (rw.hostname !== undefined) flow.hostHeader = rw.hostname;
  if (rw.path !== undefined) {
    flow.path = modifyPath(flow.normPath, rw.path);
    flow.normPath = flow.path;
  }
}

function clientAddress(req: ClientRequest): string | undefined {
  const a = req.socket.remoteAddress;
  return a !== undefined && a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** Handles one request against one compiled socket table. */
export function handleRequest(ctx: HandlerContext, socket: CompiledSocket, req: ClientRequest, res: ClientResponse): void {
  const [path, search] = splitTarget(req.url ?? '/');
  const normPath = normalisePath(path);
  const method = req.method ?? 'GET';
  const host = requestHost(req);
  const hit = matchRoute(socket, { host, method, path: normPath, query: search.length > 1 ? search.slice(1) : '', headers: req.headers });
  if (hit.route === undefined) {
    sendLocal(res, 404);
    return;
  }
  const route = hit.route;
  if (route.errors.length > 0) {
    sendLocal(res, 500);
    return;
  }
  const flow: Flow = { socket, host: hit.host, path, normPath, search, hostHeader: host };
  if (!route.plan.empty && answerLocally(route.plan, flow, req, res)) return;
  const backend = route.picker.pick();
  if (backend === undefined) {
    sendLocal(res, route.noBackendStatus);
    return;
  }
  if (backend.ir.invalid !== undefined) {
    sendLocal(res, backend.ir.invalid.status);
    return;
  }
  const bplan = route.backendPlans[backend.index];
  if (!bplan.empty && answerLocally(bplan, flow, req, res)) return;
  const endpoint = backend.nextEndpoint();
  if (endpoint === undefined) {
    sendLocal(res, 503);
    return;
  }
  proxy(ctx, route, backend, bplan, flow, req, res, method, endpoint);
}

function proxy(
  ctx: HandlerContext, route: CompiledRoute, backend: CompiledBackend, bplan: FilterPlan, flow: Flow,
  req: ClientRequest, res: ClientResponse, method: string, endpoint: { address: string; port: number },
): void {
  const proto = flow.socket.protocol === 'HTTPS' ? 'https' : 'http';
  const headers = upstreamRequestHeaders(req.headers, { remoteAddress: clientAddress(req), proto, host: flow.hostHeader });
  const plans = route.plan.empty ? (bplan.empty ? undefined : [bplan]) : bplan.empty ? [route.plan] : [route.plan, bplan];
  if (plans !== undefined) {
    for (const p of plans) {
      for (const m of p.requestHeaders) applyHeaderModifier(headers, m);
      rewrite(p, flow);
    }
  }
  if (flow.hostHeader !== undefined) headers['host'] = flow.hostHeader;
  const target = flow.path + flow.search;
  const hasBody = requestHasBody(req);
  if (plans !== undefined) for (const p of plans) for (const m of p.mirrors) sendMirror(ctx, m, method, target, headers, hasBody ? req : undefined);
  const origin = req.headers['origin'];
  const needsEdits = plans !== undefined && plans.some((p) => p.responseHeaders.length > 0 || p.cors !== undefined);
  const t = route.timeouts;
  forward(
    {
      pools: ctx.pools, agent: ctx.agent, h2: ctx.h2, tls: ctx.tls, backend, endpoint, method, path: target, headers, hasBody,
      requestTimeoutMs: t?.requestMs ?? 0, attemptTimeoutMs: t?.backendRequestMs ?? 0, retry: route.retry,
      editor: needsEdits ? new Edits(plans!, typeof origin === 'string' ? origin : undefined) : undefined,
    },
    req, res,
  );
}
