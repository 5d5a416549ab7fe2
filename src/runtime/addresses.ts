/**
 * Gateway addresses in standalone mode: a loopback pool for Gateways that name no address, and the
 * checks spec.addresses goes through (type, form, locality, uniqueness) with the specification's
 * Gateway condition reasons.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { AddressAllocator } from '../translator/types.ts';

/** What `assign` answers. */
type AssignResult = ReturnType<AddressAllocator['assign']>;
/** A refusal, with one of the Gateway condition reasons. */
type AssignFailure = Extract<AssignResult, { ok: false }>;

/** Reasons the allocator gives; they are the Gateway condition reasons of the specification. */
export const AddressReason = {
  UnsupportedAddress: 'UnsupportedAddress',
  AddressNotUsable: 'AddressNotUsable',
  AddressNotAssigned: 'AddressNotAssigned',
} as const;

function failure(reason: keyof typeof AddressReason, message: string): AssignFailure {
  return { ok: false, reason: AddressReason[reason], message };
}

/** The canonical text of an IP address (IPv6 compressed, lower case), or undefined when it is none. */
export function canonicalIp(value: string): string | undefined {
  if (isIPv4(value)) return value;
  if (!isIPv6(value) || value.includes('%')) return undefined;
  return new URL(`http://[${value}]/`).hostname.slice(1, -1);
}

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
 *
 * spec.addresses is honoured entry by entry, all or nothing (the Gateway is bound to every address it
 * is given, so a partial grant would bind listeners to fewer addresses than the user asked for):
 * - a type other than IPAddress, or a value that is not an IP address: UnsupportedAddress;
 * - an IPAddress without a value: the next free pool address (GatewayAddressEmpty);
 * - an IP this machine cannot listen on without configuration (not loopback), or one another Gateway
 *   holds: AddressNotUsable.
 */
export class LoopbackAllocator implements AddressAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly shared: boolean;
  /** The addresses each Gateway holds, in spec order. */
  private byGateway = new Map<string, readonly string[]>();
  /** Address → the Gateway holding it. */
  private holders = new Map<string, string>();

  constructor(cidr = '127.10.0.0/24') {
    const r = parseCidr(cidr);
    this.first = r.first;
    this.last = r.last;
    this.shared = r.first === r.last;
  }

  assign(gateway: string, requested: ReadonlyArray<{ type?: string; value: string }>): AssignResult {
    const wanted = requested.length > 0 ? requested : [{ type: 'IPAddress', value: '' }];
    const plan = this.plan(gateway, wanted);
    // A refusal changes nothing: the Gateway keeps its pool addresses for when its spec is fixed.
    if (!plan.ok) return plan;
    this.release(gateway);
    for (const ip of plan.addresses) this.holders.set(ip, gateway);
    this.byGateway.set(gateway, plan.addresses);
    return plan.addresses.length === 1 ? { ok: true, address: plan.addresses[0] } : { ok: true, address: plan.addresses[0], addresses: plan.addresses };
  }

  /** Frees the addresses of Gateways that are no longer managed. */
  retain(gateways: Iterable<string>): void {
    const keep = new Set(gateways);
    for (const g of [...this.byGateway.keys()]) if (!keep.has(g)) this.release(g);
  }

  /** Decides every address without changing any state. */
  private plan(gateway: string, wanted: ReadonlyArray<{ type?: string; value: string }>): { ok: true; addresses: string[] } | AssignFailure {
    const fixed: string[] = [];
    let empties = 0;
    for (const w of wanted) {
      const type = w.type || 'IPAddress';
      if (type !== 'IPAddress') return failure('UnsupportedAddress', `address type ${type} is not supported; use IPAddress`);
      if (w.value === '') {
        empties++;
        continue;
      }
      const ip = canonicalIp(w.value);
      if (ip === undefined) return failure('UnsupportedAddress', `"${w.value}" is not an IP address`);
      fixed.push(ip);
    }
    for (const ip of fixed) {
      if (!isLoopback(ip)) return failure('AddressNotUsable', `${ip} is not a local loopback address this machine can listen on`);
      const holder = this.holders.get(ip);
      if (holder !== undefined && holder !== gateway && !this.shared) return failure('AddressNotUsable', `${ip} is already used by Gateway ${holder}`);
    }
    const pooled = this.fromPool(gateway, empties, new Set(fixed));
    if (pooled === undefined) return failure('AddressNotAssigned', `the address pool ${toIp(this.first)}-${toIp(this.last)} is exhausted`);
    // Empty entries take their pool addresses in spec order, interleaved with the fixed ones.
    const out: string[] = [];
    let f = 0;
    let p = 0;
    for (const w of wanted) out.push(w.value === '' ? pooled[p++] : fixed[f++]);
    return { ok: true, addresses: [...new Set(out)] };
  }

  /** `count` pool addresses for the Gateway: those it already holds first (stability), then free ones. */
  private fromPool(gateway: string, count: number, exclude: ReadonlySet<string>): string[] | undefined {
    if (count === 0) return [];
    if (this.shared) return Array.from({ length: count }, () => toIp(this.first)); // deduplicated by plan()
    const out = (this.byGateway.get(gateway) ?? []).filter((ip) => this.inPool(ip) && !exclude.has(ip)).slice(0, count);
    for (let n = this.first; n <= this.last && out.length < count; n++) {
      const ip = toIp(n);
      if (!this.holders.has(ip) && !exclude.has(ip) && !out.includes(ip)) out.push(ip);
    }
    return out.length === count ? out : undefined;
  }

  private inPool(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = toInt(ip);
    return n >= this.first && n <= this.last;
  }

  private release(gateway: string): void {
    for (const ip of this.byGateway.get(gateway) ?? []) if (this.holders.get(ip) === gateway) this.holders.delete(ip);
    this.byGateway.delete(gateway);
  }
}
