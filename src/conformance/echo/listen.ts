/**
 * Listening and closing for the echo servers: bind to a pod's address (port 0 = ephemeral) and
 * report the port, and close so that no connection outlives the pod (tests must exit by themselves).
 */
import type { Server } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';

const tracked = new WeakMap<object, Set<{ destroy(): void }>>();

/** Remembers every connection a server accepts so closeServer can end them. */
function track(server: Server): void {
  if (tracked.has(server)) return;
  const set = new Set<{ destroy(): void }>();
  tracked.set(server, set);
  const add = (sock: { destroy(): void; once(ev: string, fn: () => void): void }) => {
    set.add(sock);
    sock.once('close', () => set.delete(sock));
  };
  server.on('connection', add);
  server.on('secureConnection', add);
}

/** Binds a server to ip:port and resolves with the bound port; rejects with the bind error. */
export function listen(server: Server, ip: string, port: number): Promise<number> {
  track(server);
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, ip, () => {
      server.off('error', onError);
      server.on('error', () => {});
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Closes servers (listening or not) and destroys their open connections. */
export async function closeServer(...servers: Server[]): Promise<void> {
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          for (const c of tracked.get(s) ?? []) c.destroy();
          (s as any).closeAllConnections?.();
        }),
    ),
  );
}

/** Binds a UDP socket and resolves with its port. */
export function bindUdp(sock: UdpSocket, ip: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    sock.bind(port, ip, () => {
      sock.off('error', onError);
      sock.on('error', () => {});
      resolve(sock.address().port);
    });
  });
}

/** Closes a UDP socket, ignoring "not running". */
export function closeUdp(sock: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      sock.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
