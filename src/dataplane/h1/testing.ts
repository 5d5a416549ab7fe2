/**
 * Test helpers of the fast path (not used in production code): a raw upstream that answers with canned bytes
 * per request path, and a raw client that sends bytes and reads until the server closes.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A canned upstream: `answer(path, conn)` gives the bytes to write (or null to destroy the connection). */
export interface RawUpstream {
  readonly port: number;
  /** Request heads seen, in order. */
  readonly heads: string[];
  connections: number;
  close(): Promise<void>;
}

/** What a canned answer can do with the connection: `nth` is the request's index on its connection. */
export type Answer = (path: string, nth: number, head: string) => string | Buffer | null;

/** Starts a raw upstream that reads request heads (bodies must be absent) and answers each with `answer`. */
export async function startRawUpstream(answer: Answer): Promise<RawUpstream> {
  const heads: string[] = [];
  const socks = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((sock) => {
    state.connections++;
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', () => undefined);
    let buf = '';
    let nth = 0;
    sock.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, end + 4);
        buf = buf.slice(end + 4);
        heads.push(head);
        const out = answer(head.split(' ')[1], nth++, head);
        if (out === null) sock.destroy();
        else if (/\r\nconnection: close\r\n/i.test(out.toString())) sock.end(out); // close-delimited answers need the close
        else sock.write(out);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(state, {
    port: (server.address() as AddressInfo).port,
    heads,
    close: () => new Promise<void>((r) => {
      for (const s of socks) s.destroy();
      server.close(() => r());
    }),
  });
}

/** Sends `data` on a fresh connection and resolves with everything read until the server closes it. */
export function rawRequest(port: number, data: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    sock.write(data);
  });
}

/** Status codes of every response head in a raw transcript, in order. */
export function statuses(transcript: string): number[] {
  return [...transcript.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
}
