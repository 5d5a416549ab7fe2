/**
 * `assertConsistentRetryBehaviour` (helpers §10): a retry-policy probe against the echo's retry
 * simulator, with a fresh `uuid` query parameter on every attempt so each one starts from zero.
 */
import type { OpHandler } from '../types.ts';
import { awaitConvergence } from './converge.ts';
import { makeRequest, type ExpectedResponse } from './http-request.ts';
import { roundTripAndCompare } from './http-ops.ts';
import { encodeQuery } from './request-id.ts';
import { cloneJson, targetAddress, uuid } from './util.ts';

/** The backend the retry simulator runs on (single replica, so its counters are shared). */
export const RETRY_BACKEND = 'infra-backend-v3';

/** The query of one attempt: the step's values plus a fresh uuid, keys sorted. */
export function retryQuery(values: Record<string, unknown>, id: string): string {
  const q = new Map<string, string[]>();
  for (const [k, v] of Object.entries(values ?? {})) q.set(k, (Array.isArray(v) ? v : [v]).map(String));
  q.set('uuid', [id]);
  return encodeQuery(q);
}

const assertConsistentRetryBehaviour: OpHandler = async (step, ctx) => {
  const addr = targetAddress(step);
  if (typeof step.path !== 'string') throw new Error('harness: assertConsistentRetryBehaviour: path must be a string');
  const values = (step.values ?? {}) as Record<string, unknown>;
  await awaitConvergence(ctx, `retry probe ${step.path} ${JSON.stringify(values)}`, () => {
    const expected: ExpectedResponse = {
      request: { path: `${step.path}?${retryQuery(values, uuid())}` },
      response: cloneJson(step.response ?? {}),
      backend: RETRY_BACKEND,
      namespace: typeof step.ns === 'string' ? step.ns : '',
    };
    const req = makeRequest(expected, addr, 'HTTP', 'http');
    return roundTripAndCompare(ctx, req, expected);
  });
  return undefined;
};

/** The test-local retry helper by op name. */
export const retryOps: Record<string, OpHandler> = {
  assertConsistentRetryBehaviour,
};
