/**
 * A deterministic AddressAllocator for tests and golden files: pool addresses 127.10.0.1, .2, ...
 * in the order Gateways ask (the translator asks in "namespace/name" order); requested IPAddress
 * values are honoured when they are loopback, AddressNotUsable otherwise, and anything that is
 * not an IPv4 address is UnsupportedAddress.
 */
import { isIPv4 } from 'node:net';
import type { AddressAllocator } from './types.ts';

/** A fresh allocator; each call starts the pool again at 127.10.0.1. */
export function testAllocator(): AddressAllocator {
  const given = new Map<string, string>();
  let next = 1;
  return {
    assign(gateway, requested) {
      for (const r of requested) {
        if ((r.type ?? 'IPAddress') !== 'IPAddress' || !isIPv4(r.value)) {
          return { ok: false, reason: 'UnsupportedAddress', message: `address ${r.type ?? 'IPAddress'} "${r.value}" is not supported` };
        }
      }
      for (const r of requested) {
        if (!r.value.startsWith('127.')) {
          return { ok: false, reason: 'AddressNotUsable', message: `address ${r.value} is not usable here` };
        }
      }
      if (requested.length > 0) return { ok: true, address: requested[0].value };
      let a = given.get(gateway);
      if (!a) given.set(gateway, (a = `127.10.0.${next++}`));
      return { ok: true, address: a };
    },
  };
}
