/**
 * TLS termination for one HTTPS socket of the IR: a SecureContext per listener certificate, and the
 * choice of certificate from the client's SNI.
 *
 * The SNI picks a listener exactly as a Host header does (exact name, then the longest matching
 * wildcard, then the catch-all listener; the same HostTable the router uses), then, among that
 * listener's certificates, the first whose names cover the SNI exactly, else the first whose wildcard
 * covers it, else the listener's first certificate. A client without SNI gets the default
 * certificate (the catch-all listener's, else the first listener's). An SNI that no listener serves,
 * or a listener whose certificates could not be loaded, gets no certificate at all: the handshake fails
 * closed instead of presenting a certificate for some other name.
 *
 * Building never throws: a certificate the TLS library refuses is reported in `errors` and skipped.
 * Contexts are reused from the previous selector when a certificate's PEM is unchanged, so a new IR
 * version that only touched routes costs no key parsing.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { IRCertificate, IRClientValidation, IRSocket } from '../../ir/types.ts';
import { HostTable, normaliseHost } from '../router/hosts.ts';

/** Lowest protocol version accepted; TLS 1.0 and 1.1 are refused. */
export type TlsMinVersion = 'TLSv1.2' | 'TLSv1.3';

/** ALPN protocols advertised when the caller does not say: only what a node:https server speaks. */
export const DEFAULT_ALPN: readonly string[] = Object.freeze(['http/1.1']);

/** Options of createTlsContexts. */
export interface TlsOptions {
  /**
   * ALPN protocols, in server preference order. Default ['http/1.1']; pass ['h2', 'http/1.1'] only
   * when the server is an http2 secure server with allowHTTP1.
   */
  readonly alpn?: readonly string[];
  /** Default 'TLSv1.2'. */
  readonly minVersion?: TlsMinVersion;
  /** The selector this one replaces: contexts of unchanged certificates are reused. */
  readonly previous?: TlsSelector;
}

/** One loaded certificate. */
export interface LoadedCertificate {
  readonly source: IRCertificate;
  readonly x509: X509Certificate;
  readonly context: SecureContext;
}

/** One HTTPS listener of the socket with its loaded certificates (empty when none could be loaded). */
export interface TlsListener {
  /** IR listener name, "namespace/gateway/listener". */
  readonly name: string;
  /** "" for the catch-all listener. */
  readonly hostname: string;
  readonly certificates: readonly LoadedCertificate[];
}

/** What an HTTPS server needs for one IR version of a socket. Immutable. */
export interface TlsSelector {
  /** The IR socket key. */
  readonly socket: string;
  readonly minVersion: TlsMinVersion;
  readonly alpn: readonly string[];
  /** The socket's listeners by hostname, with the Host-matching rules (see isMisdirected). */
  readonly listeners: HostTable<TlsListener>;
  /** PEM of the certificate presented without SNI, for server options and setSecureContext. */
  readonly defaultCredentials: { readonly cert: string; readonly key: string } | undefined;
  /** Certificates that could not be loaded: "listener: Secret ns/name: reason". Empty when all loaded. */
  readonly errors: readonly string[];
  /**
   * The socket's client certificate validation (the first listener's that has one: all listeners of a
   * Gateway port share it). Every context then trusts only its CAs, and the server requests a certificate.
   */
  readonly clientValidation: IRClientValidation | undefined;
  /** The listener an SNI selects; undefined when the SNI is absent or no listener serves it. */
  listenerFor(sni: string | false | null | undefined): TlsListener | undefined;
  /** The context to finish a handshake with for this SNI; undefined = refuse the handshake. */
  contextFor(sni: string): SecureContext | undefined;
}

/** Builds the TLS contexts of an HTTPS socket. Never throws; see `errors`. */
export function createTlsContexts(socket: IRSocket, opts: TlsOptions = {}): TlsSelector {
  const minVersion = opts.minVersion ?? 'TLSv1.2';
  const validation = socket.httpListeners.find((l) => l.tls?.clientValidation !== undefined)?.tls?.clientValidation;
  const ca = validation?.caPem;
  // A context embeds the trusted client CAs, so it can be reused only while they stay the same.
  const prev = opts.previous;
  const reuse = prev?.minVersion === minVersion && prev.clientValidation?.caPem === ca ? reusable(prev) : new Map<string, LoadedCertificate>();
  const errors: string[] = [];
  const table = new HostTable<TlsListener>();
  const all: TlsListener[] = [];
  for (const l of socket.httpListeners) {
    const certificates: LoadedCertificate[] = [];
    for (const c of l.tls?.certificates ?? []) {
      const loaded = reuse.get(pemKey(c)) ?? load(c, minVersion, ca);
      if (typeof loaded === 'string') errors.push(`${l.name}: Secret ${c.secret}: ${loaded}`);
      else certificates.push(loaded.source === c ? loaded : { ...loaded, source: c });
    }
    if ((l.tls?.certificates.length ?? 0) === 0) errors.push(`${l.name}: listener has no certificate`);
    const tl: TlsListener = { name: l.name, hostname: l.hostname, certificates };
    table.add(l.hostname, tl);
    all.push(tl);
  }
  table.seal();
  const fallback = table.lookup('') ?? all.find((l) => l.certificates.length > 0);
  const first = fallback?.certificates[0]?.source;
  const credentials = first && { cert: first.certPem, key: first.keyPem };
  return new Selector(socket.key, minVersion, opts.alpn ?? DEFAULT_ALPN, table, credentials, errors, validation);
}

class Selector implements TlsSelector {
  readonly socket: string;
  readonly minVersion: TlsMinVersion;
  readonly alpn: readonly string[];
  readonly listeners: HostTable<TlsListener>;
  readonly defaultCredentials: { readonly cert: string; readonly key: string } | undefined;
  readonly errors: readonly string[];
  readonly clientValidation: IRClientValidation | undefined;

  constructor(
    socket: string,
    minVersion: TlsMinVersion,
    alpn: readonly string[],
    listeners: HostTable<TlsListener>,
    defaultCredentials: TlsSelector['defaultCredentials'],
    errors: readonly string[],
    clientValidation: IRClientValidation | undefined,
  ) {
    this.socket = socket;
    this.minVersion = minVersion;
    this.alpn = Object.freeze([...alpn]);
    this.listeners = listeners;
    this.defaultCredentials = defaultCredentials;
    this.errors = Object.freeze(errors);
    this.clientValidation = clientValidation;
  }

  listenerFor(sni: string | false | null | undefined): TlsListener | undefined {
    if (!sni) return undefined;
    return this.listeners.lookup(normaliseHost(sni));
  }

  contextFor(sni: string): SecureContext | undefined {
    const name = normaliseHost(sni);
    const l = this.listeners.lookup(name);
    return l === undefined ? undefined : pickCertificate(l.certificates, name)?.context;
  }
}

/**
 * The certificate of a listener for a server name: exact name first, then a wildcard name, then the
 * first one (the spec leaves several certificates per listener implementation-specific).
 */
export function pickCertificate(certs: readonly LoadedCertificate[], name: string): LoadedCertificate | undefined {
  if (certs.length <= 1) return certs[0];
  return (
    certs.find((c) => c.x509.checkHost(name, { wildcards: false }) !== undefined) ??
    certs.find((c) => c.x509.checkHost(name, { wildcards: true, partialWildcards: false }) !== undefined) ??
    certs[0]
  );
}

function pemKey(c: IRCertificate): string {
  return `${c.certPem}\u0000${c.keyPem}`;
}

function reusable(prev: TlsSelector): Map<string, LoadedCertificate> {
  const m = new Map<string, LoadedCertificate>();
  for (const l of prev.listeners.values()) for (const c of l.certificates) m.set(pemKey(c.source), c);
  return m;
}

/** Loads one certificate (trusting only `ca` for client certificates when given), or says why the TLS library refuses it. */
function load(c: IRCertificate, minVersion: TlsMinVersion, ca: string | undefined): LoadedCertificate | string {
  try {
    const context = createSecureContext({ cert: c.certPem, key: c.keyPem, minVersion, ...(ca !== undefined && { ca }) });
    return { source: c, x509: new X509Certificate(c.certPem), context };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    return typeof e?.code === 'string' ? `${e.code}: ${String(e.message)}` : String(e?.message ?? err);
  }
}
