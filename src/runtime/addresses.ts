import { isIPv4 } from 'node:net';
import type { AddressAllocator } from '../translator/types.ts';

/** Converts dotted IPv4 to a number. */
function toInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses "a.b.c.d/len" into its first and last usable host numbers. */
export function parseCidr(cidr: string): { first: number; last: number } {
  const m = cidr.match(/^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) throw new Error(`invalid address pool "${cidr}" (want e.g. 127.10.0.0/24)`);
  const len = Number(m[2]);
  const size = 2 ** (32 - len);
  const base = toInt(m[1]) - (toInt(m[1]) % size);
  // Skip the network and broadcast addresses, as a real pool would, when the block is big enough.
  return size > 2 ? { first: base + 1, last: base + size - 2 } : { first: base, last: base + size - 1 };
}

/** True for addresses this machine can bind without configuration: loopback. */
export function isLoopback(ip: string): boolean {
  return isIPv4(ip) ? ip.startsWith('127.') : ip === '::1';
}

/**
 * Hands each Gateway its own loopback address from a pool, stable for as long as the Gateway
 * exists. On Linux all of 127.0.0.0/8 is local, so every Gateway can have its own address and use
 * the same ports as the others. Where only 127.0.0.1 is local (macOS), pass a /32 pool: Gateways then
 * share the address and must use distinct ports.
 */
export class LoopbackAllocator implements AddressAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly shared: boolean;
  private byGateway = new Map<string, string>();
  private taken = new Set<string>();

  constructor(cidr = '127.10.0.0/24') {
    const r = parseCidr(cidr);
    this.first = r.first;
    this.last = r.last;
    this.shared = r.first === r.last;
  }

  assign(gateway: string, requested: ReadonlyArray<{ type?: string; value: string }>) {
    if (requested.length > 0) return this.assignRequested(gateway, requested);
    const cur = this.byGateway.get(gateway);
    if (cur && this.inPool(cur)) return { ok: true as const, address: cur };
    if (cur) this.release(gateway);
    for (let n = this.first; n <= this.last; n++) {
      const ip = toIp(n);
      if (this.shared || !this.taken.has(ip)) return { ok: true as const, address: this.take(gateway, ip) };
    }
    return { ok: false as const, reason: 'AddressNotAssigned', message: `the address pool ${toIp(this.first)}-${toIp(this.last)} is exhausted` };
  }

  /** Frees the addresses of Gateways that are no longer managed. */
  retain(gateways: Iterable<string>): void {
    const keep = new Set(gateways);
    for (const g of [...this.byGateway.keys()]) if (!keep.has(g)) this.release(g);
  }

  private assignRequested(gateway: string, requested: ReadonlyArray<{ type?: string; value: string }>) {
    // Gatehouse binds one address per Gateway; the first request decides it.
    const want = requested[0];
    const type = want.type ?? 'IPAddress';
    if (type !== 'IPAddress') {
      return { ok: false as const, reason: 'UnsupportedAddress', message: `address type ${type} is not supported; use IPAddress` };
    }
    if (!isLoopback(want.value)) {
      return { ok: false as const, reason: 'AddressNotUsable', message: `${want.value} is not a local loopback address this machine can listen on` };
    }
    const holder = this.holderOf(want.value);
    if (holder && holder !== gateway && !this.shared) {
      return { ok: false as const, reason: 'AddressNotUsable', message: `${want.value} is already used by Gateway ${holder}` };
    }
    if (this.byGateway.get(gateway) !== want.value) this.release(gateway);
    return { ok: true as const, address: this.take(gateway, want.value) };
  }

  private inPool(ip: string): boolean {
    const n = toInt(ip);
    return n >= this.first && n <= this.last;
  }

  private holderOf(ip: string): string | undefined {
    for (const [g, a] of this.byGateway) if (a === ip) return g;
    return undefined;
  }

  private take(gateway: string, ip: string): string {
    this.byGateway.set(gateway, ip);
    this.taken.add(ip);
    return ip;
  }

  private release(gateway: string): void {
    const ip = this.byGateway.get(gateway);
    if (ip === undefined) return;
    this.byGateway.delete(gateway);
    if (!this.holderOf(ip)) this.taken.delete(ip);
  }
}
