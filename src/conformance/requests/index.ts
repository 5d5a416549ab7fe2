/**
 * The conformance request ops (HTTP, TLS, gRPC, TCP, UDP, weights, WebSocket, retry probe, the
 * mesh `echo.*` ops) and the request-heavy custom steps.
 *
 * Function-valued results: `weight.NewFunctionBasedSender` returns a `Sender`
 * (`{kind: 'sender', send}`), `weight.NewBatchFunctionBasedSender` a `BatchSender`
 * (`{kind: 'batchSender', sendBatch}`), `http.ExpectMirroredRequest` a `DeferredCall` (callable,
 * and also `{kind: 'deferred', wait}`), `http.MakeRequest` a `RoundTripRequest` plus the
 * defaulted `expected`.
 */
import type { OpHandler } from '../types.ts';
import { httpOps } from './http-ops.ts';
import { mirrorOps } from './mirror.ts';
import { tlsOps } from './tls-ops.ts';
import { grpcOps } from './grpc-ops.ts';
import { tcpOps } from './tcp-ops.ts';
import { udpOps } from './udp-ops.ts';
import { weightOps } from './weight.ts';
import { retryOps } from './retry-probe.ts';
import { meshOps } from './mesh-ops.ts';

export { requestCustomHandlers } from './custom.ts';
export type { DeferredCall } from './mirror.ts';
export { isDeferredCall } from './mirror.ts';
export type { Sender, BatchSender } from './weight.ts';

/** Every request op handler, keyed by the exact op name of the corpus. */
export const requestOps: Record<string, OpHandler> = {
  ...httpOps,
  ...mirrorOps,
  ...tlsOps,
  ...grpcOps,
  ...tcpOps,
  ...udpOps,
  ...weightOps,
  ...retryOps,
  ...meshOps,
};

/** Mesh ops not implemented here (listed for the runner's "unknown op" message); now none. */
export const MESH_OPS_NOT_IMPLEMENTED: readonly string[] = [];
