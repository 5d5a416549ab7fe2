/**
 * TLS termination for HTTPS sockets: certificate contexts chosen by SNI, a swappable holder for
 * rotation, the misdirected-request (421) check, and the client certificate decision.
 */
export { createTlsContexts, pickCertificate, DEFAULT_ALPN } from './contexts.ts';
export type { LoadedCertificate, TlsListener, TlsMinVersion, TlsOptions, TlsSelector } from './contexts.ts';
export { TlsHolder } from './holder.ts';
export type { TlsServerOptions } from './holder.ts';
export { isMisdirected } from './misdirect.ts';
export type { ListenerLookup } from './misdirect.ts';
export { clientRefusal } from './clientauth.ts';
