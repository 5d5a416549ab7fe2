/**
 * The text a failed bind is reported with: it ends up in the listener's status message and the log,
 * where a user reads it, so it says what to do rather than repeating node's "listen EACCES: ...".
 */
const HINTS: Record<string, string> = {
  EACCES: 'permission denied: ports below 1024 need root (or CAP_NET_BIND_SERVICE)',
  EADDRINUSE: 'address already in use: another process listens on this address and port',
  EADDRNOTAVAIL: 'address not available: it is not an address of this machine',
};

/** "CODE: explanation (address:port)" for a bind error. */
export function describeBindError(err: NodeJS.ErrnoException, address: string, port: number): string {
  const code = err.code ?? 'ERROR';
  return `${code}: ${HINTS[code] ?? err.message} (${address}:${port})`;
}
