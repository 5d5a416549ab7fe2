/**
 * The addresses a Gateway is bound to. The allocator may grant several (spec.addresses with more than
 * one entry); the specification wants every listener bound to every one of them, so the IR passes
 * build one socket per (address, port) and a bind error on any of them counts against the listener.
 */
import type { GatewayState, ListenerState } from './model.ts';
import { socketKey } from './l4ir.ts';
import { everyListener } from './parents.ts';

/** Every address of the Gateway, the primary one first; empty when none was assigned. */
export function addressesOf(gw: GatewayState): readonly string[] {
  if (gw.addresses !== undefined && gw.addresses.length > 0) return gw.addresses;
  return gw.address === undefined ? [] : [gw.address];
}

/** The first bind error of a listener's port on any of the Gateway's addresses, prefixed by the address when there are several. */
export function bindErrorOf(bindErrors: ReadonlyMap<string, string>, gw: GatewayState, port: number, protocol: string): string | undefined {
  const all = addressesOf(gw);
  for (const address of all) {
    const err = bindErrors.get(socketKey(address, port, protocol));
    if (err !== undefined) return all.length > 1 ? `${address}: ${err}` : err;
  }
  return undefined;
}

/** Every listener served on the Gateway (its own and its ListenerSets'), once per Gateway address. */
export function boundListeners(gw: GatewayState): { address: string; listener: ListenerState }[] {
  const listeners = everyListener(gw);
  return addressesOf(gw).flatMap((address) => listeners.map((listener) => ({ address, listener })));
}
