/**
 * A pool of loopback addresses for emulated pods (default 127.20.0.0/16). Linux routes all of
 * 127.0.0.0/8 to the loopback interface, so every pod can have its own address and bind the
 * container's real ports (3000, 8443, 53...) without clashing.
 */

/** Parses "a.b.c.d/len" into [first, last] as 32-bit numbers; throws with a precise message. */
export function parseCidr(cidr: string): [number, number] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const parts = m ? m.slice(1, 5).map(Number) : [];
  const len = m ? Number(m[5]) : -1;
  if (!m || parts.some((p) => p > 255) || len > 32) throw new Error(`invalid pod network ${JSON.stringify(cidr)}: want an IPv4 CIDR like 127.20.0.0/16`);
  const base = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const size = 2 ** (32 - len);
  const first = Math.floor(base / size) * size;
  return [first, first + size - 1];
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Hands out addresses of a CIDR, skipping those ending in .0 and .255; released ones are reused last. */
export class IpPool {
  private next: number;
  private readonly last: number;
  private readonly free: number[] = [];
  private readonly used = new Set<number>();

  constructor(cidr = '127.20.0.0/16') {
    const [first, last] = parseCidr(cidr);
    this.next = first;
    this.last = last;
  }

  /** A free address; throws when the pool is exhausted. */
  allocate(): string {
    while (this.next <= this.last) {
      const n = this.next++;
      const low = n & 255;
      if (low === 0 || low === 255) continue;
      this.used.add(n);
      return toIp(n);
    }
    const reused = this.free.shift();
    if (reused === undefined) throw new Error('pod address pool exhausted');
    this.used.add(reused);
    return toIp(reused);
  }

  /** Returns an address to the pool. */
  release(ip: string): void {
    const [a, b, c, d] = ip.split('.').map(Number);
    const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    if (this.used.delete(n)) this.free.push(n);
  }
}
