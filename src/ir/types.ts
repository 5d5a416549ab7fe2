/**
 * The routing IR: what the data plane needs to serve traffic, and nothing of Kubernetes.
 *
 * It is produced by the translator (a pure function of a store snapshot), is immutable and
 * JSON-serialisable (so it can be diffed in golden tests and streamed to a remote proxy), and
 * carries a version. The data plane compiles one IR version into matchers once and swaps it in
 * atomically.
 *
 * Shape: sockets (address:port) → HTTP listeners (one per Gateway listener, for isolation) →
 * virtual hosts (one per effective hostname) → routes in precedence order → weighted backends.
 */

export interface IR {
  /** Monotonic version; the data plane keeps the newest it was given. */
  readonly version: number;
  readonly sockets: readonly IRSocket[];
}

export type IRProtocol = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP';

/** One bound socket: every Gateway listener on this address and port shares it. */
export interface IRSocket {
  /** "address:port", unique in the IR; "address:port/udp" for UDP sockets (TCP and UDP may share a port). */
  readonly key: string;
  readonly address: string;
  readonly port: number;
  readonly protocol: IRProtocol;
  /** The Gateway that owns the address ("namespace/name"), for logs and bind errors. */
  readonly gateway: string;
  /** HTTP(S) sockets: the Gateway listeners, most specific hostname first. */
  readonly httpListeners: readonly IRHttpListener[];
  /**
   * TLS, TCP and UDP sockets (httpListeners is then empty). A TLS socket holds its listeners most
   * specific hostname first and picks one by the ClientHello's SNI; a TCP or UDP socket holds one.
   */
  readonly l4Listeners?: readonly IRL4Listener[];
}

/** One Gateway listener of protocol TLS, TCP or UDP. */
export interface IRL4Listener {
  /** "namespace/gateway/listenerName". */
  readonly name: string;
  /** TLS: exact, wildcard or "" (any SNI, also no SNI). Always "" for TCP and UDP. */
  readonly hostname: string;
  /**
   * TLS only. Passthrough forwards the still-encrypted stream (ClientHello included); Terminate
   * completes the handshake with `tls` and forwards the decrypted stream.
   */
  readonly tlsMode?: 'Passthrough' | 'Terminate';
  /** Terminate only: the listener's certificates, as for HTTPS listeners. */
  readonly tls?: IRListenerTLS;
  /**
   * TLS: one route per effective SNI hostname ("*" = any), most specific first; a connection whose SNI
   * no route covers is refused. TCP and UDP: at most one route (hostname "*"); none = refuse everything.
   */
  readonly routes: readonly IRL4Route[];
}

/** Where the connections (or UDP sessions) of one hostname of a TLS/TCP/UDP listener go. */
export interface IRL4Route {
  /** "TLSRoute/namespace/name" (or TCPRoute/UDPRoute). */
  readonly id: string;
  /** SNI hostname this entry serves (TLS), "*" for any. */
  readonly hostname: string;
  /**
   * Weighted backends; each new connection (UDP: each new client session) is one unit of weight.
   * The share of an `invalid` backend, or of one without endpoints, is refused (connection closed).
   * `protocol` and `filters` do not apply at L4 ('http1' and []).
   */
  readonly backends: readonly IRBackend[];
}

/**
 * One Gateway listener (or ListenerSet listener) on an HTTP socket. A request is handled by exactly one
 * listener: the one whose hostname matches the request's host most specifically (listener isolation).
 */
export interface IRHttpListener {
  /**
   * "namespace/gateway/listenerName"; a ListenerSet's listener (whose name may repeat a Gateway
   * listener's) is "namespace/gateway/ListenerSet/setNamespace/setName/listenerName".
   */
  readonly name: string;
  /** Listener hostname: exact ("a.example.com"), wildcard ("*.example.com") or "" for any host. */
  readonly hostname: string;
  /** Virtual hosts, most specific hostname first; "*" (any host) last. */
  readonly virtualHosts: readonly IRVirtualHost[];
  /** HTTPS listeners only: the certificates TLS termination presents for this listener's hostname. */
  readonly tls?: IRListenerTLS;
}

/**
 * TLS termination settings of one HTTPS listener. The translator has already resolved and checked
 * every certificate (parsable PEM, key matching the leaf certificate), so the data plane only loads them.
 */
export interface IRListenerTLS {
  /**
   * In certificateRefs order, at least one. With several, the data plane presents the one whose
   * names match the client's SNI (exact before wildcard), else the first.
   */
  readonly certificates: readonly IRCertificate[];
  /**
   * Frontend client certificate validation (Gateway spec.tls.frontend, the default or the entry for this
   * listener's port). Absent: no client certificate is requested. Every HTTPS listener of a Gateway on one
   * port carries the same value, since the setting belongs to the port (connections are reused across
   * listeners of a port). Additive (frontend TLS).
   */
  readonly clientValidation?: IRClientValidation;
}

/** How an HTTPS port checks the certificates clients present. */
export interface IRClientValidation {
  /**
   * AllowValidOnly: a client without a certificate that chains to `caPem` is refused during the handshake.
   * AllowInsecureFallback: a certificate is requested, but a client without one, or with one that fails
   * verification, is served anyway.
   */
  readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
  /** The trusted CA certificates (PEM, every valid caCertificateRef's bundle in ref order). */
  readonly caPem: string;
  /** Where they came from ("ConfigMap ns/name", "Secret ns/name"), for logs. */
  readonly sources: readonly string[];
}

/** A certificate chain and its private key, both PEM (from a kubernetes.io/tls Secret). */
export interface IRCertificate {
  /** Where it came from ("namespace/name" of the Secret), for logs. */
  readonly secret: string;
  /** Leaf first, then any intermediates (the Secret's tls.crt). */
  readonly certPem: string;
  /** The leaf's private key (the Secret's tls.key). */
  readonly keyPem: string;
}

export interface IRVirtualHost {
  /** Exact host, "*.suffix" wildcard, or "*" for any host. Lower case, no port. */
  readonly hostname: string;
  /** Routes in precedence order: the first whose match holds serves the request. */
  readonly routes: readonly IRRoute[];
}

export interface IRRoute {
  /** Stable identity for logs and metrics: "HTTPRoute/namespace/name/rule/match". */
  readonly id: string;
  /** The route rule's name when the rule has one (spec.rules[].name). */
  readonly ruleName?: string;
  readonly match: IRMatch;
  /** Filters applied in order before forwarding (or instead of it, for redirects). */
  readonly filters: readonly IRFilter[];
  /** Weighted backends. Empty = nothing to forward to: 500 (or the filter's own answer, e.g. a redirect). */
  readonly backends: readonly IRBackend[];
  readonly timeouts?: IRTimeouts;
  readonly retry?: IRRetry;
  /**
   * Set on routes of a GRPCRoute (additive, GRPCRoute pass). A request that matches but has no backend to
   * go to (no backendRefs, all weights 0) is answered UNIMPLEMENTED — HTTP 501, which a gRPC client sees
   * as grpc-status 12 — instead of 500. Every backend of such a route speaks h2c. (Whether an answer of the
   * gateway takes the gRPC form depends on the request's content-type, not on this flag.)
   */
  readonly grpc?: true;
}

export interface IRMatch {
  readonly path: IRPathMatch;
  /** Upper-case method, or undefined for any. */
  readonly method?: string;
  readonly headers: readonly IRStringMatch[];
  readonly queryParams: readonly IRStringMatch[];
}

export type IRPathMatch =
  | { readonly type: 'Exact'; readonly value: string }
  /** value has no trailing slash except for "/" itself; matches on path-segment boundaries. */
  | { readonly type: 'PathPrefix'; readonly value: string }
  /** A regular expression matched against the whole path (anchored). */
  | { readonly type: 'RegularExpression'; readonly value: string };

export interface IRStringMatch {
  /** Header names are lower case; query parameter names are kept as written (they are case-sensitive). */
  readonly name: string;
  readonly type: 'Exact' | 'RegularExpression';
  readonly value: string;
}

export interface IRHeaderModifier {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  /** Lower-case names. */
  readonly remove: readonly string[];
}

export type IRFilter =
  | ({ readonly type: 'RequestHeaderModifier' } & IRHeaderModifier)
  | ({ readonly type: 'ResponseHeaderModifier' } & IRHeaderModifier)
  | {
      readonly type: 'RequestRedirect';
      readonly scheme?: string;
      readonly hostname?: string;
      readonly port?: number;
      readonly path?: IRPathModifier;
      readonly statusCode: number;
    }
  | { readonly type: 'URLRewrite'; readonly hostname?: string; readonly path?: IRPathModifier }
  | {
      readonly type: 'RequestMirror';
      readonly backend: IRBackend;
      /** Fraction of requests mirrored, 0..1. */
      readonly fraction: number;
    }
  | {
      readonly type: 'CORS';
      readonly allowOrigins: readonly string[];
      readonly allowCredentials: boolean;
      readonly allowMethods: readonly string[];
      readonly allowHeaders: readonly string[];
      readonly exposeHeaders: readonly string[];
      readonly maxAge: number;
    }
  /** A filter the route asked for that cannot be honoured: the request gets `status` (500 by the spec). */
  | { readonly type: 'Reject'; readonly status: number; readonly reason: string };

export type IRPathModifier =
  | { readonly type: 'ReplaceFullPath'; readonly value: string }
  /** `prefix` is the matched PathPrefix value the replacement applies to. */
  | { readonly type: 'ReplacePrefixMatch'; readonly value: string; readonly prefix: string };

export interface IRBackend {
  /** "namespace/service:port" for Services; for logs and metrics. */
  readonly name: string;
  readonly weight: number;
  /**
   * When set, this backend cannot be used (invalid reference, unsupported kind...): the share of
   * requests it would get is answered with this status (500 per the specification).
   */
  readonly invalid?: { readonly status: number; readonly reason: string };
  /** Resolved endpoints; empty means no endpoint is ready (503). */
  readonly endpoints: readonly IREndpoint[];
  /** Upstream protocol: plain HTTP/1.1, HTTP/2 cleartext, or WebSocket-capable HTTP/1.1. */
  readonly protocol: 'http1' | 'h2c' | 'ws';
  /** Filters attached to this backendRef, applied after the route's filters. */
  readonly filters: readonly IRFilter[];
  /**
   * Set when a BackendTLSPolicy applies (additive, BackendTLSPolicy pass): connections to the endpoints are
   * TLS, verified, never plaintext. With protocol 'h2c' this means HTTP/2 over TLS (ALPN h2); with 'ws',
   * WebSocket over TLS. An invalid policy makes the backend `invalid` instead (fail closed).
   */
  readonly tls?: IRBackendTLS;
}

/**
 * TLS origination to one backend: what the data plane trusts and checks. Verification is always on and
 * TLS 1.2 is the minimum; a handshake or verification failure answers 502 (and is logged), never plaintext.
 */
export interface IRBackendTLS {
  /** "namespace/name" of the BackendTLSPolicy, for logs; connections are pooled per policy, never shared. */
  readonly policy: string;
  /** PEM bundle of the CAs trusted for this backend (caCertificateRefs, concatenated in order). */
  readonly caPem?: string;
  /** Trust the well-known (system) CAs instead (wellKnownCACertificates: System). */
  readonly system?: boolean;
  /** SNI sent to the backend; also the name its certificate must carry unless subjectAltNames is set. */
  readonly servername: string;
  /** When set, the certificate must carry at least one of these SANs, and servername is not checked. */
  readonly subjectAltNames?: readonly IRSubjectAltName[];
  /** The Gateway's client certificate (spec.tls.backend.clientCertificateRef), presented when asked. */
  readonly clientCert?: IRCertificate;
}

/** A Subject Alternative Name a backend certificate may be required to carry. */
export interface IRSubjectAltName {
  readonly type: 'Hostname' | 'URI';
  /** A DNS name (matched like a TLS client does, so a certificate wildcard covers one label) or a URI (exact). */
  readonly value: string;
}

export interface IREndpoint {
  readonly address: string;
  readonly port: number;
}

export interface IRTimeouts {
  /** Whole-request timeout in ms (0 = none). */
  readonly requestMs?: number;
  /** Per upstream attempt timeout in ms (0 = none). */
  readonly backendRequestMs?: number;
}

export interface IRRetry {
  readonly attempts: number;
  readonly codes: readonly number[];
  readonly backoffMs: number;
}

/** An IR with nothing in it: what the data plane serves before the first translation. */
export const EMPTY_IR: IR = Object.freeze({ version: 0, sockets: Object.freeze([]) });
