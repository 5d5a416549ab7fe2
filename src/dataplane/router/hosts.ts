/**
 * Host-name lookup by specificity: exact name, then the longest matching "*.suffix" wildcard, then the
 * catch-all. Used for both listener hostnames and virtual-host names.
 */

/** A wildcard entry: ".example.com" for "*.example.com". */
interface WildcardEntry<T> {
  readonly suffix: string;
  readonly value: T;
}

/** Marks an exact name removed in an overlay (values are never this object). */
const GONE: unknown = Object.freeze({ gone: true });

/**
 * A derived table is flattened into one map when its overlay outgrows √(exact names) (at least 32):
 * copying n names every √n changes plus copying the overlay each time is about 2√n per change.
 */
const OVERLAY_MIN = 32;

/**
 * An immutable table from host names to values, built once per IR version. A table derived from the
 * previous version (withExact) shares that version's exact-name map and keeps its own changes in a small
 * overlay consulted first, so a version that changes a few names costs a few map writes.
 */
export class HostTable<T> {
  private exact = new Map<string, T>();
  /** Exact names changed since `exact` was built: a value, or GONE for a removed name. */
  private overlay: Map<string, unknown> | undefined;
  private wildcards: WildcardEntry<T>[] = [];
  private any: T | undefined;
  private sealed = false;

  /**
   * Adds a pattern: "" or "*" = any host, "*.suffix" = wildcard, anything else = exact (case-insensitive).
   * The first value added for a pattern wins (IR order is precedence order). Adding after `seal` throws:
   * a table is immutable once in use.
   */
  add(pattern: string, value: T): void {
    if (this.sealed) throw new Error('HostTable: add after seal');
    const p = pattern.toLowerCase();
    if (p === '' || p === '*') {
      this.any ??= value;
    } else if (p.startsWith('*.')) {
      const suffix = p.slice(1);
      if (!this.wildcards.some((w) => w.suffix === suffix)) this.wildcards.push({ suffix, value });
    } else if (!this.exact.has(p)) {
      this.exact.set(p, value);
    }
  }

  /** Freezes the table; longest suffixes first so the first hit is the most specific one. */
  seal(): this {
    this.wildcards.sort((a, b) => b.suffix.length - a.suffix.length);
    this.sealed = true;
    return this;
  }

  /**
   * The most specific value for a lower-case host without port. A wildcard needs at least one label
   * before its suffix: "*.example.com" matches "a.example.com" and "a.b.example.com", never "example.com".
   */
  lookup(host: string): T | undefined {
    const o = this.overlay;
    const over = o === undefined ? undefined : o.get(host);
    if (over !== undefined) {
      if (over !== GONE) return over as T;
    } else {
      const hit = this.exact.get(host);
      if (hit !== undefined) return hit;
    }
    const w = this.wildcards;
    for (let i = 0; i < w.length; i++) {
      const s = w[i].suffix;
      if (host.length > s.length && host.endsWith(s)) return w[i].value;
    }
    return this.any;
  }

  /**
   * A new sealed table equal to this sealed one with some exact names removed and some set (each name
   * lower case, neither wildcard nor any-host: see isExactName). Costs a copy of the exact map instead
   * of adding every name again, for a new version that differs in a few names. This table is unchanged.
   */
  withExact(remove: readonly string[], set: ReadonlyArray<readonly [string, T]>): HostTable<T> {
    if (!this.sealed) throw new Error('HostTable: withExact before seal');
    const t = new HostTable<T>();
    const overlay = new Map<string, unknown>(this.overlay ?? []);
    for (const name of remove) overlay.set(name, GONE);
    for (const [name, value] of set) overlay.set(name, value);
    if (overlay.size > Math.max(OVERLAY_MIN, Math.sqrt(this.exact.size))) {
      t.exact = new Map(this.exact); // flatten: the overlay grew with the changes of many versions
      for (const [name, v] of overlay) {
        if (v === GONE) t.exact.delete(name);
        else t.exact.set(name, v as T);
      }
    } else {
      t.exact = this.exact; // shared, never written once sealed
      t.overlay = overlay;
    }
    t.wildcards = this.wildcards; // sealed tables never change it
    t.any = this.any;
    t.sealed = true;
    return t;
  }

  /** Every value in the table (for iteration at compile time, not on the hot path). */
  values(): T[] {
    const o = this.overlay;
    const exact = o === undefined ? [...this.exact.values()] : [...this.exact].filter(([k]) => !o.has(k)).map(([, v]) => v);
    if (o !== undefined) for (const v of o.values()) if (v !== GONE) exact.push(v as T);
    const out = [...exact, ...this.wildcards.map((w) => w.value)];
    if (this.any !== undefined) out.push(this.any);
    return out;
  }
}

/** True for a pattern `add` files as an exact name under itself: lower case, not "", "*" or "*.suffix". */
export function isExactName(pattern: string): boolean {
  return pattern !== '' && pattern !== '*' && !pattern.startsWith('*.') && !hasUpper(pattern);
}

/**
 * The host a request names, lower-cased without port: "Example.COM:8080" → "example.com",
 * "[::1]:80" → "[::1]". Allocation-free when the header is already lower case without port.
 */
export function normaliseHost(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return '';
  let end = hostHeader.length;
  if (hostHeader.charCodeAt(0) === 91 /* [ */) {
    const close = hostHeader.indexOf(']');
    if (close > 0) end = close + 1;
  } else {
    const colon = hostHeader.indexOf(':');
    if (colon >= 0) end = colon;
  }
  // A trailing dot names the same host ("example.com." is "example.com").
  if (end > 0 && hostHeader.charCodeAt(end - 1) === 46 /* . */) end--;
  const h = end === hostHeader.length ? hostHeader : hostHeader.slice(0, end);
  return hasUpper(h) ? h.toLowerCase() : h;
}

function hasUpper(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}
