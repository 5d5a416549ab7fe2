/**
 * HTTP/1.1 Upgrade (WebSocket) proxying: route like any request, then splice the client and upstream
 * sockets together after the upstream answers 101. Redirect, CORS and mirror filters do not apply to
 * upgrades; request header modifiers and URL rewrites do. A backend under a BackendTLSPolicy is reached over
 * TLS with the policy's verification (wss); without TLS origination available it is refused, never plaintext.
 */
import { STATUS_CODES, request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import type { CompiledSocket } from '../compile/types.ts';
import { applyHeaderModifier } from '../filters/headers.ts';
import { modifyPath } from '../filters/path.ts';
import { normalisePath } from '../router/normalize.ts';
import { matchRoute } from '../router/router.ts';
import { upstreamRequestHeaders } from './headers.ts';
import { clientOptions, type TlsOrigins } from './tls.ts';

/** Writes a minimal local reply on a raw socket and closes it. */
function rawReply(sock: Duplex, status: number): void {
  const text = `${STATUS_CODES[status] ?? 'error'}\n`;
  sock.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: ${text.length}\r\n\r\n${text}`);
}

/** Serialises a response head for a raw socket. */
function head(res: IncomingMessage): string {
  let out = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`;
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return out + '\r\n';
}

/** Proxies an Upgrade request arriving on `sock` (with `early` bytes already read past the head). */
export function proxyUpgrade(socket: CompiledSocket, req: IncomingMessage, sock: Duplex, early: Buffer, origins?: TlsOrigins): void {
  sock.on('error', () => sock.destroy());
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  let path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q);
  let normPath = normalisePath(path);
  const hit = matchRoute(socket, { host: req.headers.host, method: req.method ?? 'GET', path: normPath, query: search.slice(1), headers: req.headers });
  if (hit.route === undefined) return rawReply(sock, 404);
  const route = hit.route;
  if (route.errors.length > 0) return rawReply(sock, 500);
  if (route.plan.reject) return rawReply(sock, route.plan.reject.status);
  const backend = route.picker.pick();
  if (backend === undefined) return rawReply(sock, 500);
  if (backend.ir.invalid) return rawReply(sock, backend.ir.invalid.status);
  const ep = backend.nextEndpoint();
  if (ep === undefined) return rawReply(sock, 503);
  const headers = upstreamRequestHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, proto: 'http', host: req.headers.host });
  let host = req.headers.host;
  for (const plan of [route.plan, route.backendPlans[backend.index]]) {
    for (const m of plan.requestHeaders) applyHeaderModifier(headers, m);
    if (plan.rewrite?.hostname !== undefined) host = plan.rewrite.hostname;
    if (plan.rewrite?.path !== undefined) normPath = path = modifyPath(normPath, plan.rewrite.path);
  }
  if (host !== undefined) headers['host'] = host;
  // Upgrade and Connection are hop-by-hop, but an upgrade must carry them to the next hop.
  headers['connection'] = 'upgrade';
  headers['upgrade'] = req.headers.upgrade ?? 'websocket';
  // Upgraded connections are never returned to a pool: no agent.
  const tls = backend.ir.tls;
  const origin = tls === undefined ? undefined : origins?.origin(tls);
  if (tls !== undefined && origin === undefined) return rawReply(sock, 502);
  const opts = { host: ep.address, port: ep.port, method: req.method, path: path + search, headers, setHost: false, agent: false as const };
  const up = origin === undefined ? request(opts) : httpsRequest({ ...opts, ...clientOptions(origin.settings) });
  up.on('upgrade', (res, upSock, upHead) => {
    sock.write(head(res));
    if (upHead.length > 0) sock.write(upHead);
    upSock.on('error', () => sock.destroy());
    sock.on('close', () => upSock.destroy());
    upSock.on('close', () => sock.destroy());
    upSock.pipe(sock).pipe(upSock);
  });
  up.on('response', (res) => {
    // The upstream declined the upgrade: relay its answer and close.
    sock.write(head(res));
    res.pipe(sock);
  });
  up.on('error', (err) => {
    origin?.failed(err, ep, backend.ir.name); // logs a TLS failure
    rawReply(sock, 502);
  });
  if (early.length > 0) up.write(early);
  up.end();
}
