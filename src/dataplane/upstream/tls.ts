/**
 * TLS origination to backends (BackendTLSPolicy). One TlsOrigin per distinct IRBackendTLS — that is, per
 * policy, client certificate and settings — owns its own HTTP/1.1 pools (undici, ALPN http/1.1; a keep-alive
 * https Agent for mirrors and Expect requests), its own HTTP/2 session pool (ALPN h2) and one SecureContext
 * for raw L4 connections, so two
 * policies never share a connection and a pooled connection always carries the settings it was opened with.
 *
 * Secure defaults, not configurable: verification is always on (the policy's CAs, or the well-known
 * system set), TLS 1.2 is the minimum, node's default cipher list (no insecure suites), the SNI is the
 * policy hostname and the identity checked is that hostname or the policy's subjectAltNames. A failed
 * handshake or verification is logged (throttled, one line per origin at most every LOG_EVERY_MS) and
 * the request is answered 502; nothing ever falls back to plaintext.
 */
import { Agent as HttpsAgent } from 'node:https';
import { connect as tlsConnect, createSecureContext, getCACertificates, type ConnectionOptions, type SecureContext, type TLSSocket } from 'node:tls';
import type { IR, IRBackend, IRBackendTLS, IREndpoint } from '../../ir/types.ts';
import { H2Pool } from './h2pool.ts';
import { UpstreamPools } from './pool.ts';
import { ALTNAME_INVALID, identityCheck } from './identity.ts';

/** Logger shape of the data plane. */
export type TlsLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** At most one handshake-failure line per origin per this many ms; the others are counted. */
export const LOG_EVERY_MS = 5_000;

/** OpenSSL certificate verification failures surface with these codes (plus the ERR_SSL_/ERR_TLS_ families). */
const VERIFY_CODES = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_REVOKED', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'INVALID_CA', 'INVALID_PURPOSE', 'HOSTNAME_MISMATCH',
  'CERT_CHAIN_TOO_LONG', 'PATH_LENGTH_EXCEEDED', ALTNAME_INVALID,
]);

/** The TLS (handshake or verification) error behind `err`, following `cause` links; undefined if none. */
export function tlsFailureOf(err: unknown): (Error & { code?: string }) | undefined {
  for (let e = err as (Error & { code?: string; cause?: unknown }) | undefined, depth = 0; e && depth < 4; e = e.cause as any, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (VERIFY_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return e;
    // A TLS alert from the peer (say, protocol version: it cannot do TLS 1.2) surfaces as EPROTO.
    if (code === 'EPROTO' && /SSL routines|alert/.test(String(e.message))) return e;
  }
  return undefined;
}

let systemCAs: string[] | undefined;

/** The well-known CAs: node's bundled (Mozilla) set plus the operating system's store, loaded once. */
function wellKnownCAs(): string[] {
  systemCAs ??= [...new Set([...getCACertificates('default'), ...getCACertificates('system')])];
  return systemCAs;
}

/** The node TLS client options of one origin (shared by its Agent, its h2 sessions and L4 connections). */
export function clientOptions(s: IRBackendTLS): ConnectionOptions {
  return {
    ca: s.caPem ?? wellKnownCAs(),
    ...(s.clientCert && { cert: s.clientCert.certPem, key: s.clientCert.keyPem }),
    minVersion: 'TLSv1.2',
    servername: s.servername,
    rejectUnauthorized: true,
    checkServerIdentity: identityCheck(s),
  };
}

/** Everything needed to speak TLS to the backends of one IRBackendTLS. */
export class TlsOrigin {
  readonly settings: IRBackendTLS;
  /** HTTP/1.1 over TLS, one undici Pool per endpoint: the forwarding path. */
  readonly pools: UpstreamPools;
  /** HTTP/1.1 over TLS through node:https (mirrors, Expect requests), pooled and kept alive. */
  readonly agent: HttpsAgent;
  /** HTTP/2 over TLS (gRPC and h2 backends). */
  readonly h2: H2Pool;
  private readonly options: ConnectionOptions;
  private context: SecureContext | undefined;
  private readonly log: TlsLog | undefined;
  private lastLogMs = -Infinity;
  private suppressed = 0;
  retired = false;

  constructor(settings: IRBackendTLS, log: TlsLog | undefined) {
    this.settings = settings;
    this.log = log;
    this.options = clientOptions(settings);
    this.agent = new HttpsAgent({ ...this.options, keepAlive: true, keepAliveMsecs: 1000, maxSockets: 512, maxFreeSockets: 64, scheduling: 'lifo', ALPNProtocols: ['http/1.1'] });
    this.h2 = new H2Pool({ tls: this.options });
    this.pools = new UpstreamPools(this.options);
  }

  /** Opens a TLS connection to an endpoint for L4 forwarding (no ALPN: the bytes are the client's). */
  connect(ep: IREndpoint): TLSSocket {
    this.context ??= createSecureContext({ ca: this.options.ca, cert: this.options.cert, key: this.options.key, minVersion: 'TLSv1.2' });
    return tlsConnect({ ...this.options, secureContext: this.context, host: ep.address, port: ep.port });
  }

  /**
   * When `err` is a TLS handshake or verification failure: logs it (throttled) and returns true, so the
   * caller answers 502 instead of treating it as an unreachable upstream.
   */
  failed(err: unknown, ep: IREndpoint, backend: string): boolean {
    const tls = tlsFailureOf(err);
    if (tls === undefined) return false;
    const now = Date.now();
    if (now - this.lastLogMs < LOG_EVERY_MS) {
      this.suppressed++;
      return true;
    }
    this.log?.('warn', 'backend TLS handshake failed; request refused (no plaintext fallback)', {
      backend, policy: this.settings.policy, endpoint: `${ep.address}:${ep.port}`, servername: this.settings.servername,
      code: tls.code, error: tls.message, ...(this.suppressed > 0 && { suppressed: this.suppressed }),
    });
    this.lastLogMs = now;
    this.suppressed = 0;
    return true;
  }

  /** No longer in the IR: idle connections close now, busy ones when their exchange ends. */
  retire(): void {
    this.retired = true;
    for (const list of Object.values(this.agent.freeSockets)) for (const s of list ?? []) s.destroy();
    this.pools.drain();
    this.h2.drain();
  }

  /** Cuts everything. */
  close(): void {
    this.retired = true;
    this.agent.destroy();
    this.pools.close();
    this.h2.close();
  }
}

/** Stable identity of TLS settings: two backends with equal settings (same policy) share an origin. */
function keyOf(s: IRBackendTLS): string {
  return JSON.stringify([s.policy, s.servername, s.caPem ?? '', s.system === true, s.subjectAltNames ?? [], s.clientCert?.certPem ?? '', s.clientCert?.keyPem ?? '']);
}

/** The data plane's TLS origins, created on first use and retired when an IR no longer needs them. */
export class TlsOrigins {
  private readonly byKey = new Map<string, TlsOrigin>();
  /** IR objects are immutable: the per-request lookup is one WeakMap hit. */
  private readonly byObject = new WeakMap<IRBackendTLS, TlsOrigin>();
  private readonly log: TlsLog | undefined;

  constructor(log?: TlsLog) {
    this.log = log;
  }

  /** Origins currently held. */
  get size(): number {
    return this.byKey.size;
  }

  /** The origin for a backend's TLS settings. */
  origin(tls: IRBackendTLS): TlsOrigin {
    const hit = this.byObject.get(tls);
    if (hit !== undefined && !hit.retired) return hit;
    const key = keyOf(tls);
    let o = this.byKey.get(key);
    if (o === undefined || o.retired) {
      o = new TlsOrigin(tls, this.log);
      this.byKey.set(key, o);
    }
    this.byObject.set(tls, o);
    return o;
  }

  /** Retires the origins `ir` does not use (called after each IR version is applied). */
  retain(ir: IR): void {
    if (this.byKey.size === 0) return; // nothing to retire: skip walking every backend of the IR
    const live = new Set<string>();
    for (const b of backendsOf(ir)) if (b.tls !== undefined) live.add(keyOf(b.tls));
    for (const [key, o] of this.byKey) {
      if (live.has(key)) continue;
      this.byKey.delete(key);
      o.retire();
    }
  }

  /** Closes every origin. */
  close(): void {
    for (const o of this.byKey.values()) o.close();
    this.byKey.clear();
  }
}

/** Every backend of an IR: route backends, mirror targets, L4 route backends. */
function* backendsOf(ir: IR): Generator<IRBackend> {
  for (const s of ir.sockets) {
    for (const l of s.httpListeners) {
      for (const v of l.virtualHosts) {
        for (const r of v.routes) {
          for (const f of r.filters) if (f.type === 'RequestMirror') yield f.backend;
          for (const b of r.backends) {
            yield b;
            for (const f of b.filters) if (f.type === 'RequestMirror') yield f.backend;
          }
        }
      }
    }
    for (const l of s.l4Listeners ?? []) for (const r of l.routes) yield* r.backends;
  }
}
