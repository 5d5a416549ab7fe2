/**
 * Which routes the fast path serves, and the request head it sends upstream.
 *
 * A route qualifies when everything it can do to a request is a header modifier: no redirect, rewrite, CORS,
 * mirror or reject in its plan or any backend's plan; no timeouts and no retry policy; every backend plaintext
 * HTTP/1.1 (no BackendTLSPolicy, not h2c). The verdict depends only on the compiled route, so it is computed
 * once per route and kept in a WeakMap (a new IR version brings new route objects, the old verdicts go with them).
 * Checking every backend up front matters: the backend is picked only once the route qualifies, so a request that
 * goes to node:http instead never moved the weighted picker.
 */
import type { CompiledRoute } from '../compile/types.ts';
import { applyHeaderModifier, type HeaderBag } from '../filters/headers.ts';
import type { FilterPlan } from '../filters/plan.ts';
import { isHopByHop, upstreamRequestHeaders } from '../upstream/headers.ts';
import type { RequestHead } from './request.ts';
import { serialise } from './response.ts';

const verdicts = new WeakMap<CompiledRoute, boolean>();

/** A plan whose only effects are request/response header modifiers. */
function headersOnly(p: FilterPlan): boolean {
  return p.empty || (p.reject === undefined && p.cors === undefined && p.redirect === undefined && p.rewrite === undefined && p.mirrors.length === 0);
}

/** Whether the fast path can serve every request this route forwards. */
export function fastRoute(r: CompiledRoute): boolean {
  let v = verdicts.get(r);
  if (v === undefined) {
    v = r.errors.length === 0 && r.retry === undefined && noTimeouts(r) && headersOnly(r.plan) && r.backendPlans.every(headersOnly) &&
      r.picker.backends.every((b) => b.ir.invalid !== undefined || (b.ir.tls === undefined && b.ir.protocol !== 'h2c'));
    verdicts.set(r, v);
  }
  return v;
}

function noTimeouts(r: CompiledRoute): boolean {
  const t = r.timeouts;
  return t === undefined || ((t.requestMs ?? 0) <= 0 && (t.backendRequestMs ?? 0) <= 0);
}

/** The plans that apply to a forwarded request, in order, or undefined when both are empty (as handler.ts). */
export function plansOf(route: CompiledRoute, bplan: FilterPlan): FilterPlan[] | undefined {
  return route.plan.empty ? (bplan.empty ? undefined : [bplan]) : bplan.empty ? [route.plan] : [route.plan, bplan];
}

/** The plans when one of them modifies response headers, else undefined (the head is relayed as it came). */
export function responseEdits(plans: readonly FilterPlan[] | undefined): readonly FilterPlan[] | undefined {
  if (plans === undefined) return undefined;
  for (const p of plans) if (p.responseHeaders.length > 0) return plans;
  return undefined;
}

/**
 * The upstream request head, one string: what node:http + undici send for the same request on the other path
 * (end-to-end fields, X-Forwarded-*, request modifiers in order, Host restored last, "connection: keep-alive"),
 * with the body framing of the client (its Content-Length field, or "transfer-encoding: chunked").
 */
export function upstreamHead(req: RequestHead, remoteAddress: string | undefined, plans: readonly FilterPlan[] | undefined, proto: 'http' | 'https' = 'http'): string {
  const conn = req.headers['connection'];
  const direct = plans === undefined && (conn === undefined || SIMPLE_CONNECTION.has((conn as string).toLowerCase()));
  let out = `${req.method} ${req.target} HTTP/1.1\r\nhost: ${req.host}\r\nconnection: keep-alive\r\n` +
    (direct ? directFields(req, remoteAddress, proto) : rebuiltFields(req, remoteAddress, plans, proto));
  if (req.bodyLength < 0) out += 'transfer-encoding: chunked\r\n';
  else if (req.headers['content-length'] !== undefined) out += `content-length: ${req.bodyLength}\r\n`;
  return out + '\r\n';
}

/** Connection values that name no other field. */
const SIMPLE_CONNECTION = new Set(['keep-alive', 'close']);

/** The general case: a header object copied, X-Forwarded-* appended, request modifiers applied, serialised. */
function rebuiltFields(req: RequestHead, remoteAddress: string | undefined, plans: readonly FilterPlan[] | undefined, proto: string): string {
  const headers: HeaderBag = upstreamRequestHeaders(req.headers, { remoteAddress, proto, host: req.host });
  if (plans !== undefined) for (const p of plans) for (const m of p.requestHeaders) applyHeaderModifier(headers, m);
  return serialise(headers, true);
}

/**
 * The same lines as rebuiltFields, in the same order, written straight from the client's fields when nothing
 * modifies them and Connection names no other field (no copy of the header object).
 */
function directFields(req: RequestHead, remoteAddress: string | undefined, proto: string): string {
  const h = req.headers;
  let out = '';
  let xff = remoteAddress === undefined;
  let xfp = false;
  let xfh = false;
  for (const name in h) {
    if (name === 'host' || name === 'content-length' || isHopByHop(name)) continue;
    let v = h[name] as string; // the fast path's parser gives one string per name
    if (name === 'x-forwarded-for' && !xff) {
      v = `${v}, ${remoteAddress}`;
      xff = true;
    } else if (name === 'x-forwarded-proto') {
      v = `${v}, ${proto}`;
      xfp = true;
    } else if (name === 'x-forwarded-host') {
      v = `${v}, ${req.host}`;
      xfh = true;
    }
    out += `${name}: ${v}\r\n`;
  }
  if (!xff) out += `x-forwarded-for: ${remoteAddress}\r\n`;
  if (!xfp) out += `x-forwarded-proto: ${proto}\r\n`;
  if (!xfh) out += `x-forwarded-host: ${req.host}\r\n`;
  return out;
}
