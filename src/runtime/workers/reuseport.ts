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
 * The data plane binds this way when created with `reusePort: true` (HttpDataPlaneOptions), which is
 * what a worker process does.
 */

/** Platforms where SO_REUSEPORT balances connections across sockets (not just allows the bind). */
export function reusePortSupported(platform: NodeJS.Platform = process.platform): boolean {
  return platform === 'linux' || platform === 'freebsd';
}
