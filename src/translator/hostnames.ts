/**
 * Hostname intersection and specificity, per the listener and route hostname rules:
 * "*.example.com" is a suffix match covering any number of labels ("a.example.com",
 * "a.b.example.com") but not "example.com" itself. "" (listener) and "*" (virtual host) mean any host.
 */

/** True when `host` (exact or wildcard) is covered by the wildcard `wild` ("*.suffix"). */
export function wildcardCovers(wild: string, host: string): boolean {
  const suffix = wild.slice(1); // ".example.com"
  // A wildcard does not cover itself: "*.example.com" ends with ".example.com" too.
  return host !== wild && host.length > suffix.length && host.endsWith(suffix);
}

/**
 * The hostnames both a and b accept, as one hostname, or undefined when they are disjoint.
 * Either side may be exact or a wildcard; the result is the more specific of the two.
 */
export function intersectHostnames(a: string, b: string): string | undefined {
  if (a === b) return a;
  const aw = a.startsWith('*.');
  const bw = b.startsWith('*.');
  if (aw && wildcardCovers(a, b)) return b;
  if (bw && wildcardCovers(b, a)) return a;
  return undefined;
}

/**
 * The effective hostnames of a route on a listener: the route's hostnames that intersect the
 * listener's (narrowed to the intersection). "" listener = any host; no route hostnames = the
 * listener's hostname, or "*" when neither side restricts. An empty result means no intersection.
 */
export function effectiveHostnames(listenerHostname: string, routeHostnames: readonly string[]): string[] {
  const route = [...new Set(routeHostnames.map((h) => h.toLowerCase()))];
  const listener = listenerHostname.toLowerCase();
  if (route.length === 0) return [listener || '*'];
  if (!listener) return sortHostnames(route);
  const out = new Set<string>();
  for (const h of route) {
    const i = intersectHostnames(listener, h);
    if (i !== undefined) out.add(i);
  }
  return sortHostnames([...out]);
}

/** The number of labels after the wildcard ("*.a.example.com" → 3). */
function labels(h: string): number {
  return h.split('.').length - 1;
}

/**
 * Orders hostnames most specific first: exact names (longer first), then wildcards with more
 * labels (then longer) first, then any-host ("*" or ""). Ties are broken alphabetically so the
 * order is total.
 */
export function compareHostnameSpecificity(a: string, b: string): number {
  const rank = (h: string) => (h === '' || h === '*' ? 2 : h.startsWith('*.') ? 1 : 0);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1 && labels(a) !== labels(b)) return labels(b) - labels(a);
  if (a.length !== b.length) return b.length - a.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy, most specific first. */
export function sortHostnames(hosts: readonly string[]): string[] {
  return [...hosts].sort(compareHostnameSpecificity);
}

/**
 * True when every request a virtual host named `inner` receives may also be served by routes
 * of `outer`: equal names, "*" (any host), or a wildcard covering `inner`.
 */
export function hostnameCovers(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  return outer.startsWith('*.') && inner !== '*' && wildcardCovers(outer, inner);
}
