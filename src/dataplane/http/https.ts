/**
 * What the HTTP data plane adds for HTTPS sockets: one TlsHolder per bound HTTPS socket, whose selector is
 * swapped on every applied IR version (certificate rotation and client validation changes without
 * rebinding), and the misdirected-request check a request on an HTTPS socket passes before routing.
 */
import type { TLSSocket } from 'node:tls';
import type { IRSocket } from '../../ir/types.ts';
import type { CompiledSocket } from '../compile/types.ts';
import { createTlsContexts } from '../tls/contexts.ts';
import { TlsHolder } from '../tls/holder.ts';
import { isMisdirected } from '../tls/misdirect.ts';
import { requestHost, type ClientRequest } from './client.ts';
import { HTTPS_ALPN } from './tls-front.ts';

/** Logging hook (the data plane's). */
type Log = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** The TLS state of every HTTPS socket, by IR socket key. */
export class HttpsHolders {
  private readonly holders = new Map<string, TlsHolder>();
  private readonly log: Log | undefined;

  constructor(log?: Log) {
    this.log = log;
  }

  /**
   * The holder of an HTTPS socket carrying this IR version's certificates and client validation: the
   * existing one with its selector swapped (new handshakes use it at once), or a new one for a socket
   * about to be bound. Certificates whose PEM did not change are reused, not parsed again.
   */
  prepare(s: IRSocket): TlsHolder {
    const prev = this.holders.get(s.key);
    const selector = createTlsContexts(s, { alpn: HTTPS_ALPN, previous: prev?.current });
    if (selector.errors.join('\n') !== (prev?.current.errors ?? []).join('\n')) {
      for (const error of selector.errors) this.log?.('warn', 'certificate not loaded', { socket: s.key, error });
    }
    if (prev !== undefined) {
      prev.swap(selector);
      return prev;
    }
    const holder = new TlsHolder(selector);
    this.holders.set(s.key, holder);
    return holder;
  }

  /** Forgets a socket that was removed or could not be bound. */
  drop(key: string): void {
    this.holders.delete(key);
  }
}

/**
 * True when a request on an HTTPS socket must be answered 421: its Host selects another listener than
 * the connection's SNI did (see isMisdirected). `socket` is the compiled table routing the request.
 */
export function misdirectedRequest(req: ClientRequest, socket: CompiledSocket): boolean {
  // HTTP/1.1: the TLSSocket itself; HTTP/2: node's proxy of the session's socket (same properties).
  const sni = (req.socket as TLSSocket).servername;
  return isMisdirected(sni, requestHost(req), socket.listeners);
}
