/**
 * Upstream connection pooling: one keep-alive node:http Agent shared by every endpoint (the Agent keeps a
 * separate pool per host:port). LIFO scheduling keeps the hottest sockets busy so idle ones time out.
 *
 * Why an Agent and not a hand-rolled pool: the Agent already does per-origin queuing, honours the upstream's
 * "Keep-Alive: timeout=N" hint (closing idle sockets just before the server would) and reuse bookkeeping
 * (`req.reusedSocket`), which our stale-socket retry relies on. Not measured yet (no bench/ harness): the
 * candidate to compare against is a small per-endpoint pool over raw sockets with a hand-written parser.
 */
import { Agent } from 'node:http';

/** Pool sizing; defaults suit a single proxy process in front of a few dozen endpoints. */
export interface PoolOptions {
  /** Concurrent connections per endpoint; requests beyond it queue inside the Agent. */
  readonly maxSocketsPerEndpoint?: number;
  /** Idle connections kept per endpoint. */
  readonly maxIdlePerEndpoint?: number;
}

/** Creates the shared upstream Agent. */
export function createUpstreamAgent(o: PoolOptions = {}): Agent {
  return new Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxSockets: o.maxSocketsPerEndpoint ?? 512,
    maxFreeSockets: o.maxIdlePerEndpoint ?? 64,
    scheduling: 'lifo',
  });
}
