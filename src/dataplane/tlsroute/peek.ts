/**
 * Reads a connection's ClientHello without consuming it for anyone else: the bytes read are handed back
 * (`head`) so they can be forwarded verbatim (passthrough) or pushed back for a local TLS handshake
 * (terminate). Bounded in bytes (MAX_CLIENT_HELLO plus record headers) and in time: a client that
 * sends nothing, or trickles bytes, costs one timer and is dropped.
 */
import type { Socket } from 'node:net';
import { MAX_CLIENT_HELLO, parseClientHello } from './clienthello.ts';

/** Default time a client has to send its whole ClientHello. */
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;
/** Bytes read at most while waiting for a ClientHello (handshake bytes plus a few record headers). */
const MAX_HEAD_BYTES = MAX_CLIENT_HELLO + 64 * 5;

/** What peeking produced. */
export type PeekResult =
  | { readonly ok: true; readonly head: Buffer; readonly serverName: string | undefined }
  | { readonly ok: false; readonly reason: string };

/**
 * Collects bytes from `sock` until they hold a complete ClientHello (or cannot), then calls `done`
 * once with the socket paused and no listeners of ours left on it.
 */
export function peekClientHello(sock: Socket, timeoutMs: number, done: (r: PeekResult) => void): void {
  let head: Buffer = Buffer.alloc(0);
  let finished = false;
  const finish = (r: PeekResult): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    sock.removeListener('data', onData);
    sock.removeListener('end', onEnd);
    sock.removeListener('close', onEnd);
    sock.pause();
    done(r);
  };
  const onData = (chunk: Buffer): void => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const r = parseClientHello(head);
    if (r.kind === 'hello') finish({ ok: true, head, serverName: r.serverName });
    else if (r.kind === 'invalid') finish({ ok: false, reason: r.reason });
    else if (head.length > MAX_HEAD_BYTES) finish({ ok: false, reason: 'ClientHello too large' });
  };
  const onEnd = (): void => finish({ ok: false, reason: 'connection closed before the ClientHello' });
  const timer = setTimeout(() => finish({ ok: false, reason: 'no ClientHello in time' }), timeoutMs);
  sock.on('data', onData);
  sock.once('end', onEnd);
  sock.once('close', onEnd);
}
