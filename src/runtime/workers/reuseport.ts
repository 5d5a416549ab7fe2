/**
 * How N worker processes share one listening address: SO_REUSEPORT. Every worker binds its own socket
 * to the same address and port with `reusePort: true` (Node ≥ 22.12 / 23.1, for net servers and dgram
 * sockets), and the kernel spreads new connections (TCP) and client flows (UDP) across those sockets by a
 * hash of the 4-tuple.
 *
 * Why not node:cluster's shared handles:
 * - With cluster's default round-robin scheduling the primary accepts every connection and passes it to a
 *   worker over IPC. Here the primary is also the control plane, whose event loop is busy for ~150 ms per
 *   translation at 5,000 routes: new connections would wait for it, which is exactly the stall that
 *   multi-process mode exists to remove. With SO_REUSEPORT the primary is not on the data path at all.
 * - UDP: a cluster-shared dgram handle is one socket read by every worker, so datagrams of one client land
 *   on any worker, and each would open its own upstream session for that client (the relay keeps sessions
 *   per client address). With SO_REUSEPORT a client's flow always hashes to the same worker's socket.
 * - Bind errors are the worker's own (EADDRINUSE when a process without SO_REUSEPORT holds the port, EACCES
 *   for privileged ports), reported by each worker and merged by the primary.
 * Costs, accepted: a connection still queued in a worker's accept backlog when that worker dies is reset
 * (the kernel does not move it to a sibling); another process of the same user that also sets SO_REUSEPORT
 * could share the port instead of getting EADDRINUSE.
 *
 * The data plane (src/dataplane) binds with `listen({host, port, exclusive: true})` and
 * `createSocket({type, ...})`. It has no option to ask for SO_REUSEPORT, so a worker process (and only a
 * worker process: it runs nothing but the data plane) installs this hook before creating it. The clean
 * replacement is an `HttpDataPlaneOptions.reusePort` passed down to those three call sites.
 */
import dgram from 'node:dgram';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

let installed = false;

/** Platforms where SO_REUSEPORT balances connections across sockets (not just allows the bind). */
export function reusePortSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'freebsd';
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/**
 * Makes every listening socket this process opens afterwards on an explicit port — net/http/tls servers
 * listening with an options object, dgram sockets created with an options object — set SO_REUSEPORT.
 * Idempotent. Only for worker processes.
 */
export function installReusePort(): void {
  if (installed) return;
  installed = true;
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const first = args[0];
    if (isOptions(first) && typeof first.port === 'number' && first.port !== 0 && first.reusePort === undefined) {
      args[0] = { ...first, reusePort: true };
    }
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;

  const createSocket = dgram.createSocket;
  const patched = function (type: unknown, listener?: unknown) {
    const opts = isOptions(type) && type.reusePort === undefined ? { ...type, reusePort: true } : type;
    return (createSocket as (...a: unknown[]) => dgram.Socket)(opts, listener);
  };
  (dgram as { createSocket: unknown }).createSocket = patched;
  // ES modules importing { createSocket } from 'node:dgram' see the patched function only after this.
  syncBuiltinESMExports();
}
