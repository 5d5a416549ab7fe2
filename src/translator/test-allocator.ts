/**
 * A deterministic AddressAllocator for tests and golden files: pool addresses 127.10.0.1, .2, ...
 * in the order Gateways ask (the translator asks in "namespace/name" order); requested IPAddress
 * values are honoured when they are loopback, AddressNotUsable otherwise, and anything that is
 * not an IPv4 address is UnsupportedAddress. An IPAddress entry without a value takes the
 * Gateway's pool address; several entries are all granted (`addresses`).
 */
import { isIPv4 } from 'node:net';
import type { AddressAllocator } from './types.ts';

/** A fresh allocator; each call starts the pool again at 127.10.0.1. */
export function testAllocator(): AddressAllocator {
  const given = new Map<string, string>();
  let next = 1;
  return {
    assign(gateway, requested) {
      const pool = () => {
        let a = given.get(gateway);
        if (!a) given.set(gateway, (a = `127.10.0.${next++}`));
        return a;
      };
      for (const r of requested) {
        if ((r.type ?? 'IPAddress') !== 'IPAddress' || (r.value !== '' && !isIPv4(r.value))) {
          return { ok: false, reason: 'UnsupportedAddress', message: `address ${r.type ?? 'IPAddress'} "${r.value}" is not supported` };
        }
      }
      for (const r of requested) {
        if (r.value !== '' && !r.value.startsWith('127.')) {
          return { ok: false, reason: 'AddressNotUsable', message: `address ${r.value} is not usable here` };
        }
      }
      const all = [...new Set(requested.length === 0 ? [pool()] : requested.map((r) => (r.value === '' ? pool() : r.value)))];
      return all.length === 1 ? { ok: true, address: all[0] } : { ok: true, address: all[0], addresses: all };
    },
  };
}
