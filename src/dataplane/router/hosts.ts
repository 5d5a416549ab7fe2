/**
 * Host-name lookup by specificity: exact name, then the longest matching "*.suffix" wildcard, then the
 * catch-all. Used for both listener hostnames and virtual-host names.
 */

/** A wildcard entry: ".example.com" for "*.example.com". */
interface WildcardEntry<T> {
  readonly suffix: string;
  readonly value: T;
}

/** An immutable table from host names to values, built once per IR version. */
export class HostTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards: WildcardEntry<T>[] = [];
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
    const hit = this.exact.get(host);
    if (hit !== undefined) return hit;
    const w = this.wildcards;
    for (let i = 0; i < w.length; i++) {
      const s = w[i].suffix;
      if (host.length > s.length && host.endsWith(s)) return w[i].value;
    }
    return this.any;
  }

  /** Every value in the table (for iteration at compile time, not on the hot path). */
  values(): T[] {
    const out = [...this.exact.values(), ...this.wildcards.map((w) => w.value)];
    if (this.any !== undefined) out.push(this.any);
    return out;
  }
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
