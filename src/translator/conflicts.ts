/**
 * Listener conflicts within one Gateway: listeners on one port must be distinct. Different
 * protocols on a port conflict (ProtocolConflict), except TCP and UDP which are different
 * transports; listeners sharing port and protocol conflict when their hostnames are equal
 * (HostnameConflict; TCP and UDP have no hostname, so two of them on a port always conflict).
 * Per the specification no listener wins: every indistinct listener is marked.
 */
import { ListenerReason } from '../status/conditions.ts';

/** The fields conflict detection looks at. */
export interface ListenerKey {
  name: string;
  port: number;
  protocol: string;
  /** "" for any host. */
  hostname: string;
}

/** A listener's conflict. */
export interface Conflict {
  reason: typeof ListenerReason.HostnameConflict | typeof ListenerReason.ProtocolConflict;
  message: string;
}

const HOSTNAMELESS = new Set(['TCP', 'UDP']);

function protocolsCompatible(a: string, b: string): boolean {
  return a === b || (HOSTNAMELESS.has(a) && HOSTNAMELESS.has(b));
}

/** Conflicted listeners by name. Listeners not in `listeners` (e.g. unsupported protocol) are ignored. */
export function findConflicts(listeners: readonly ListenerKey[]): Map<string, Conflict> {
  const out = new Map<string, Conflict>();
  for (const l of listeners) {
    const samePort = listeners.filter((o) => o !== l && o.port === l.port);
    const proto = samePort.filter((o) => !protocolsCompatible(o.protocol, l.protocol));
    if (proto.length > 0) {
      const others = proto.map((o) => `${o.name} (${o.protocol})`).join(', ');
      out.set(l.name, { reason: ListenerReason.ProtocolConflict, message: `port ${l.port} is also used with another protocol by ${others}` });
      continue;
    }
    const host = samePort.filter((o) => o.protocol === l.protocol && (HOSTNAMELESS.has(l.protocol) || o.hostname === l.hostname));
    if (host.length > 0) {
      const others = host.map((o) => o.name).join(', ');
      const what = HOSTNAMELESS.has(l.protocol) ? `${l.protocol} port ${l.port}` : `hostname "${l.hostname}" on port ${l.port}`;
      out.set(l.name, { reason: ListenerReason.HostnameConflict, message: `${what} is also used by ${others}` });
    }
  }
  return out;
}
