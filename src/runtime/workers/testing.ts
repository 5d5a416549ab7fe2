/**
 * Test helpers for the worker tests (not used in production code). The question "which worker process
 * served this request?" is answered from outside the gateway, without any debug hook in the data plane:
 * an upstream looks up, in Linux's /proc, which process owns the other end of the TCP connection the
 * request arrived on (/proc/net/tcp maps the connection to a socket inode, /proc/PID/fd maps inodes to
 * processes).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Whether /proc can answer socket-owner questions here. */
export function procNetAvailable(): boolean {
  try {
    readFileSync('/proc/net/tcp', 'utf8');
    return true;
  } catch {
    return false;
  }
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** Inodes of the IPv4 sockets whose local port is `local` and remote port is `remote`. */
function inodesOf(proto: 'tcp' | 'udp', local: number, remote: number): Set<string> {
  const want = `:${hexPort(local)}`;
  const peer = `:${hexPort(remote)}`;
  const found = new Set<string>();
  for (const line of readFileSync(`/proc/net/${proto}`, 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && f[1].endsWith(want) && f[2].endsWith(peer)) found.add(f[9]);
  }
  return found;
}

/** Which of `pids` holds the (TCP, or connected UDP) socket local:`local` ↔ remote:`remote`, or undefined. */
export function socketOwner(local: number, remote: number, pids: readonly number[], proto: 'tcp' | 'udp' = 'tcp'): number | undefined {
  const inodes = inodesOf(proto, local, remote);
  if (inodes.size === 0) return undefined;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // the process is gone
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1])) return pid;
    }
  }
  return undefined;
}

/** An upstream that answers with its name and records which process connected to it, per request. */
export interface PidUpstream {
  readonly name: string;
  readonly port: number;
  /** Owner pid of the connection of each request served so far (undefined when not among the candidates). */
  readonly seen: Array<number | undefined>;
  /** The pids it may attribute connections to (the workers). */
  candidates: number[];
  close(): Promise<void>;
}

/** Starts a PidUpstream on 127.0.0.1. */
export async function startPidUpstream(name: string): Promise<PidUpstream> {
  const up: { seen: Array<number | undefined>; candidates: number[] } = { seen: [], candidates: [] };
  let port = 0;
  const server: Server = createServer({ keepAlive: true }, (req, res) => {
    // The gateway's upstream connection is open while this request is being served.
    up.seen.push(socketOwner(req.socket.remotePort ?? 0, port, up.candidates));
    req.resume();
    res.end(name);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  return Object.assign(up, {
    name,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
