/**
 * RequestMirror: a fire-and-forget copy of the request, body included, to the mirror backend. It never delays
 * or alters the primary exchange: errors are swallowed (logged at debug), the mirror's answer is dropped.
 *
 * The body is teed: the mirror sees the chunks the primary reads, at the primary's pace (a 'data' listener
 * never pauses the source; only the primary's pipe does). A mirror that cannot keep up buffers at most
 * MIRROR_BUFFER_LIMIT bytes, then its copy is abandoned (the request is aborted) rather than ever pushing
 * back on the client or the primary upstream.
 */
import { request, type Agent, type ClientRequest as H1Request } from 'node:http';
import { constants, type ClientHttp2Stream } from 'node:http2';
import type { IREndpoint } from '../../ir/types.ts';
import type { ClientRequest } from '../http/client.ts';
import type { H2Pool } from '../upstream/h2pool.ts';
import type { TlsOrigin, TlsOrigins } from '../upstream/tls.ts';
import { h2RequestHeaders } from '../upstream/headers.ts';
import type { HeaderBag } from './headers.ts';
import type { MirrorSpec } from './plan.ts';

/** The logger shape the data plane uses. */
export type MirrorLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** What mirroring needs from the data plane. */
export interface MirrorContext {
  readonly agent: Agent;
  readonly h2: H2Pool;
  /** TLS origination (BackendTLSPolicy); a TLS mirror backend is skipped without it, never sent plaintext. */
  readonly tls?: TlsOrigins;
  readonly log: MirrorLog | undefined;
}

/** A black-holed mirror must not pin pooled sockets or sessions forever. */
const MIRROR_TIMEOUT_MS = 30_000;

/** Bytes a mirror may lag behind the primary before its copy is dropped. */
export const MIRROR_BUFFER_LIMIT = 1024 * 1024;

type MirrorUpstream = H1Request | ClientHttp2Stream;

/** Copies the client body into one mirror request, giving up when the mirror falls too far behind. */
class BodyTee {
  private readonly src: ClientRequest;
  private readonly up: MirrorUpstream;
  private readonly log: MirrorLog | undefined;
  private readonly name: string;
  private readonly onData = (chunk: Buffer): void => {
    if (this.up.writableLength > MIRROR_BUFFER_LIMIT) this.abandon('mirror cannot keep up; copy dropped');
    else this.up.write(chunk);
  };
  private readonly onEnd = (): void => {
    this.detach();
    this.up.end();
  };
  private readonly onClose = (): void => this.abandon('client request ended early');

  constructor(src: ClientRequest, up: MirrorUpstream, log: MirrorLog | undefined, name: string) {
    this.src = src;
    this.up = up;
    this.log = log;
    this.name = name;
    src.on('data', this.onData);
    src.once('end', this.onEnd);
    src.once('close', this.onClose);
  }

  private detach(): void {
    this.src.removeListener('data', this.onData);
    this.src.removeListener('end', this.onEnd);
    this.src.removeListener('close', this.onClose);
  }

  private abandon(reason: string): void {
    this.detach();
    this.up.destroy();
    this.log?.('debug', reason, { backend: this.name });
  }
}

function openH1(ctx: MirrorContext, ep: IREndpoint, method: string, path: string, headers: HeaderBag, origin: TlsOrigin | undefined): H1Request {
  const req = request({ agent: origin?.agent ?? ctx.agent, ...(origin && { protocol: 'https:' }), host: ep.address, port: ep.port, method, path, headers, setHost: false });
  req.setTimeout(MIRROR_TIMEOUT_MS, () => req.destroy(new Error('mirror timed out')));
  req.on('response', (r) => r.resume());
  return req;
}

function openH2(ctx: MirrorContext, ep: IREndpoint, method: string, path: string, headers: HeaderBag, hasBody: boolean, origin: TlsOrigin | undefined): ClientHttp2Stream {
  const stream = (origin?.h2 ?? ctx.h2).session(ep).request(h2RequestHeaders(headers, method, path, false), { endStream: !hasBody });
  stream.setTimeout(MIRROR_TIMEOUT_MS, () => stream.close(constants.NGHTTP2_CANCEL));
  stream.on('response', () => stream.close(constants.NGHTTP2_CANCEL)); // the answer is not wanted
  return stream;
}

/**
 * Sends the mirror copy when the fraction roll says so. `body` is the client request when it carries a body
 * (to be teed), else undefined. `headers` is the upstream header map of the primary; it is copied, not shared.
 */
export function sendMirror(ctx: MirrorContext, m: MirrorSpec, method: string, path: string, headers: HeaderBag, body: ClientRequest | undefined): void {
  if (m.fraction < 1 && Math.random() >= m.fraction) return;
  if (m.backend.ir.invalid) return;
  const ep = m.backend.nextEndpoint();
  if (ep === undefined) return;
  const h: HeaderBag = { ...headers };
  if (body === undefined) h['content-length'] = '0';
  const name = m.backend.ir.name;
  const tls = m.backend.ir.tls;
  const origin = tls === undefined ? undefined : ctx.tls?.origin(tls);
  if (tls !== undefined && origin === undefined) return; // TLS required but unavailable: no plaintext copy
  let up: MirrorUpstream;
  try {
    up = m.backend.ir.protocol === 'h2c' ? openH2(ctx, ep, method, path, h, body !== undefined, origin) : openH1(ctx, ep, method, path, h, origin);
  } catch (e) {
    ctx.log?.('debug', 'mirror request failed', { backend: name, error: (e as Error).message });
    return;
  }
  up.on('error', (e: Error) => ctx.log?.('debug', 'mirror request failed', { backend: name, error: e.message }));
  if (body !== undefined) new BodyTee(body, up, ctx.log, name);
  else if (m.backend.ir.protocol !== 'h2c') up.end();
}
