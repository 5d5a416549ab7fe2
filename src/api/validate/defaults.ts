/**
 * The defaults the Gateway API CRDs declare, applied as the API server applies them before it runs
 * the validation rules (several rules rely on them: a backendRef without `kind` is a Service and so
 * needs a port; a match without `path` is a PathPrefix "/" match).
 */
import { isObject } from './types.ts';

/** A deep copy of `spec` with the kind's schema defaults filled in. Never mutates its input. */
export function withDefaults(kind: string, spec: unknown): any {
  const s = copyJson(spec) as any;
  if (!isObject(s)) return s;
  switch (kind) {
    case 'Gateway':
      each(s.addresses, (a) => def(a, 'type', 'IPAddress'));
      if (isObject(s.allowedListeners)) {
        def(s.allowedListeners, 'namespaces', { from: 'None' });
        def(s.allowedListeners.namespaces, 'from', 'None');
      }
      each(s.listeners, listenerDefaults);
      if (isObject(s.tls)) {
        secretRef(s.tls.backend?.clientCertificateRef);
        const fe = s.tls.frontend;
        if (isObject(fe)) {
          if (isObject(fe.default)) def(fe.default.validation, 'mode', 'AllowValidOnly');
          each(fe.perPort, (p) => def(p.tls?.validation, 'mode', 'AllowValidOnly'));
        }
      }
      break;
    case 'ListenerSet':
      each(s.listeners, listenerDefaults);
      parentRef(s.parentRef);
      break;
    case 'HTTPRoute':
      routeDefaults(s);
      def(s, 'rules', [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }]);
      each(s.rules, httpRule);
      break;
    case 'GRPCRoute':
      routeDefaults(s);
      each(s.rules, grpcRule);
      break;
    case 'TLSRoute':
    case 'TCPRoute':
    case 'UDPRoute':
      routeDefaults(s);
      each(s.rules, (r) => each(r.backendRefs, backendRef));
      break;
  }
  return s;
}

function def(obj: unknown, key: string, value: unknown): void {
  if (isObject(obj) && obj[key] === undefined) obj[key] = copyJson(value);
}

/**
 * A deep copy of a JSON value. Admission runs on every object written, and for the small trees of a
 * spec a plain recursive copy costs a fraction of structuredClone's serialize-and-parse round trip.
 */
function copyJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = copyJson((v as Record<string, unknown>)[k]);
    // JSON may carry an own "__proto__" key: define it, as JSON.parse does, never set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

function each(list: unknown, fn: (item: any) => void): void {
  if (Array.isArray(list)) for (const item of list) if (isObject(item)) fn(item);
}

function listenerDefaults(l: any): void {
  def(l, 'allowedRoutes', { namespaces: { from: 'Same' } });
  if (isObject(l.allowedRoutes)) {
    def(l.allowedRoutes, 'namespaces', { from: 'Same' });
    def(l.allowedRoutes.namespaces, 'from', 'Same');
    each(l.allowedRoutes.kinds, (k) => def(k, 'group', 'gateway.networking.k8s.io'));
  }
  if (isObject(l.tls)) {
    def(l.tls, 'mode', 'Terminate');
    each(l.tls.certificateRefs, secretRef);
  }
}

function secretRef(r: unknown): void {
  def(r, 'group', '');
  def(r, 'kind', 'Secret');
}

function parentRef(r: unknown): void {
  def(r, 'group', 'gateway.networking.k8s.io');
  def(r, 'kind', 'Gateway');
}

function serviceRef(r: unknown): void {
  def(r, 'group', '');
  def(r, 'kind', 'Service');
}

function backendRef(r: unknown): void {
  serviceRef(r);
  def(r, 'weight', 1);
}

function routeDefaults(s: any): void {
  each(s.parentRefs, parentRef);
}

function session(sp: unknown): void {
  if (!isObject(sp)) return;
  def(sp, 'type', 'Cookie');
  def(sp.cookie, 'lifetimeType', 'Session');
  def(sp.cookie, 'path', '/');
}

function filterDefaults(f: any): void {
  if (isObject(f.requestMirror)) {
    serviceRef(f.requestMirror.backendRef);
    def(f.requestMirror.fraction, 'denominator', 100);
  }
  if (isObject(f.externalAuth)) serviceRef(f.externalAuth.backendRef);
  def(f.requestRedirect, 'statusCode', 302);
  def(f.cors, 'maxAge', 5);
}

function httpRule(r: any): void {
  def(r, 'matches', [{ path: { type: 'PathPrefix', value: '/' } }]);
  each(r.matches, (m) => {
    def(m, 'path', { type: 'PathPrefix', value: '/' });
    def(m.path, 'type', 'PathPrefix');
    def(m.path, 'value', '/');
    each(m.headers, (h) => def(h, 'type', 'Exact'));
    each(m.queryParams, (q) => def(q, 'type', 'Exact'));
  });
  each(r.filters, filterDefaults);
  each(r.backendRefs, (b) => {
    backendRef(b);
    each(b.filters, filterDefaults);
  });
  session(r.sessionPersistence);
}

function grpcRule(r: any): void {
  each(r.matches, (m) => {
    each(m.headers, (h) => def(h, 'type', 'Exact'));
    def(m.method, 'type', 'Exact');
  });
  each(r.filters, filterDefaults);
  each(r.backendRefs, (b) => {
    backendRef(b);
    each(b.filters, filterDefaults);
  });
  session(r.sessionPersistence);
}
