/**
 * RequestMirror: a fire-and-forget copy of the request to the mirror backend. It never delays or alters the
 * primary exchange: errors are swallowed (logged at debug), the mirror's answer is drained and dropped.
 * The body is not copied (a slow mirror must not push back on the primary stream); the copy is sent with an
 * empty body and content-length 0. Streaming a tee of the body is future work.
 */
import { request, type Agent } from 'node:http';
import type { HeaderBag } from './headers.ts';
import type { MirrorSpec } from './plan.ts';

/** The logger shape the data plane uses. */
export type MirrorLog = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** A black-holed mirror must not pin pooled sockets forever. */
const MIRROR_TIMEOUT_MS = 30_000;

/** Sends the mirror copy when the fraction roll says so. */
export function sendMirror(agent: Agent, m: MirrorSpec, method: string, path: string, headers: HeaderBag, log: MirrorLog | undefined): void {
  if (m.fraction < 1 && Math.random() >= m.fraction) return;
  if (m.backend.ir.invalid) return;
  const ep = m.backend.nextEndpoint();
  if (ep === undefined) return;
  const h: HeaderBag = { ...headers, 'content-length': '0' };
  delete h['transfer-encoding'];
  const req = request({ agent, host: ep.address, port: ep.port, method, path, headers: h, setHost: false });
  req.setTimeout(MIRROR_TIMEOUT_MS, () => req.destroy(new Error('mirror timed out')));
  req.on('response', (r) => r.resume());
  req.on('error', (e) => log?.('debug', 'mirror request failed', { backend: m.backend.ir.name, error: e.message }));
  req.end();
}
